import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { toDetailsDto } from '../common/object-details.mapper';
import { ApiUserIdParam, UserIdPipe } from '../common/user-id.pipe';
import { AddHumanUserDto, AddHumanUserResponseDto } from './dto/add-human-user.dto';
import { GetUserResponseDto } from './dto/user.response.dto';
import { toGetUserResponse, toNewHumanUser } from './user.mapper';
import { UsersService } from './users.service';

@ApiTags('User Service v2')
@Controller('v2/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('human')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a human user', description: 'Create a human user in an organization. Needs user.write in that organization.' })
  @ApiOkResponse({ type: AddHumanUserResponseDto })
  @ApiProtectedRoute(400, 403, 404, 409)
  async addHuman(@CurrentCaller() caller: Caller, @Body() body: AddHumanUserDto): Promise<AddHumanUserResponseDto> {
    const { userId, details } = await this.users.addHuman(caller, toNewHumanUser(body));
    return { userId, details: toDetailsDto(details) };
  }

  @Get(':userId')
  @ApiOperation({ summary: 'User by ID', description: 'Returns the full user object (human) including the profile, email and phone. Needs user.read.' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: GetUserResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async getById(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<GetUserResponseDto> {
    return toGetUserResponse(await this.users.getById(caller, userId));
  }
}

import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { toDetailsDto } from '../common/object-details.mapper';
import { ProtectedRoute, UserRoute } from '../common/protected-route.decorator';
import { UserIdPipe } from '../common/user-id.pipe';
import { AddHumanUserDto, AddHumanUserResponseDto } from './dto/add-human-user.dto';
import { GetUserResponseDto } from './dto/user.response.dto';
import { toGetUserResponse, toNewHumanUser } from './user.mapper';
import { UsersService } from './users.service';

@ApiTags('User Service v2')
@Controller('v2/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('human')
  @ProtectedRoute({
    response: AddHumanUserResponseDto,
    errors: [400, 403, 404, 409],
    summary: 'Create a human user',
    description: 'Create a human user in an organization. Needs user.write in that organization.',
  })
  async addHuman(@CurrentCaller() caller: Caller, @Body() body: AddHumanUserDto): Promise<AddHumanUserResponseDto> {
    const { userId, details } = await this.users.addHuman(caller, toNewHumanUser(body));
    return { userId, details: toDetailsDto(details) };
  }

  @Get(':userId')
  @UserRoute({
    response: GetUserResponseDto,
    errors: [400, 403, 404],
    summary: 'User by ID',
    description: 'Returns the full user object (human) including the profile, email and phone. Needs user.read.',
  })
  async getById(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<GetUserResponseDto> {
    return toGetUserResponse(await this.users.getById(caller, userId));
  }
}

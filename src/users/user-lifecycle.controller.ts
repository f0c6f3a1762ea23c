import { Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { ApiUserIdParam, UserIdPipe } from '../common/user-id.pipe';
import { UserLifecycleService } from './user-lifecycle.service';

const EMPTY_BODY = { schema: { type: 'object', example: {} }, required: false };
const TOKENS_REFUSED = "The user's tokens are refused from the next request on (401, AUTHF-AUTH-004).";
const NOT_ON_ONESELF = 'Not on oneself. A caller with only organization-level roles cannot act on a user holding an instance-level role (403).';

/** User service v2: the lifecycle of a user (ZITADEL's DeleteUser, DeactivateUser, ReactivateUser, LockUser, UnlockUser). */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class UserLifecycleController {
  constructor(private readonly lifecycle: UserLifecycleService) {}

  @Delete()
  @ApiOperation({
    summary: 'Delete user',
    description: `Deletes the user, with its second factors and memberships, in one transaction. Its events stay, and its id cannot be taken again. ${TOKENS_REFUSED} Needs user.delete, unless the user is the caller. A caller with only organization-level roles cannot delete a user holding an instance-level role (403).`,
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async delete(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.delete(caller, userId)) };
  }

  @Post('deactivate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Deactivate user',
    description: `Sets an active or locked user to USER_STATE_INACTIVE; an inactive user gives 400 (code 9). ${TOKENS_REFUSED} Needs user.write. ${NOT_ON_ONESELF}`,
  })
  @ApiUserIdParam()
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async deactivate(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.deactivate(caller, userId)) };
  }

  @Post('reactivate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reactivate user',
    description: `Sets a deactivated user back to USER_STATE_ACTIVE; any other state gives 400 (code 9). Needs user.write. ${NOT_ON_ONESELF}`,
  })
  @ApiUserIdParam()
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async reactivate(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.reactivate(caller, userId)) };
  }

  @Post('lock')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Lock user',
    description: `Sets an active user to USER_STATE_LOCKED; a deactivated or locked user gives 400 (code 9). ${TOKENS_REFUSED} Needs user.write. ${NOT_ON_ONESELF}`,
  })
  @ApiUserIdParam()
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async lock(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.lock(caller, userId)) };
  }

  @Post('unlock')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Unlock user',
    description: `Sets a locked user back to USER_STATE_ACTIVE; any other state gives 400 (code 9). Needs user.write. ${NOT_ON_ONESELF}`,
  })
  @ApiUserIdParam()
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async unlock(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.unlock(caller, userId)) };
  }
}

import { Controller, Delete, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { RouteDescription, UserRoute } from '../common/protected-route.decorator';
import { UserIdPipe } from '../common/user-id.pipe';
import { UserLifecycleService } from './user-lifecycle.service';

const TOKENS_REFUSED = "The user's tokens are refused from the next request on (401, AUTHF-AUTH-004).";
const NOT_ON_ONESELF = 'Not on oneself. A caller with only organization-level roles cannot act on a user holding an instance-level role (403).';

/** A lifecycle command (delete, deactivate, reactivate, lock, unlock): on the user in the path, answering its details. */
const LifecycleRoute = (route: Pick<RouteDescription, 'summary' | 'description' | 'body'>) =>
  UserRoute({ ...route, response: DetailsResponseDto, errors: [400, 403, 404] });

/** User service v2: the lifecycle of a user (ZITADEL's DeleteUser, DeactivateUser, ReactivateUser, LockUser, UnlockUser). */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class UserLifecycleController {
  constructor(private readonly lifecycle: UserLifecycleService) {}

  @Delete()
  @LifecycleRoute({
    summary: 'Delete user',
    description: `Deletes the user, with its second factors and memberships, in one transaction. Its events stay, and its id cannot be taken again. ${TOKENS_REFUSED} Needs user.delete, unless the user is the caller. A caller with only organization-level roles cannot delete a user holding an instance-level role (403).`,
  })
  async delete(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.delete(caller, userId)) };
  }

  @Post('deactivate')
  @LifecycleRoute({
    body: 'empty',
    summary: 'Deactivate user',
    description: `Sets an active or locked user to USER_STATE_INACTIVE; an inactive user gives 400 (code 9). ${TOKENS_REFUSED} Needs user.write. ${NOT_ON_ONESELF}`,
  })
  async deactivate(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.deactivate(caller, userId)) };
  }

  @Post('reactivate')
  @LifecycleRoute({
    body: 'empty',
    summary: 'Reactivate user',
    description: `Sets a deactivated user back to USER_STATE_ACTIVE; any other state gives 400 (code 9). Needs user.write. ${NOT_ON_ONESELF}`,
  })
  async reactivate(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.reactivate(caller, userId)) };
  }

  @Post('lock')
  @LifecycleRoute({
    body: 'empty',
    summary: 'Lock user',
    description: `Sets an active user to USER_STATE_LOCKED; a deactivated or locked user gives 400 (code 9). ${TOKENS_REFUSED} Needs user.write. ${NOT_ON_ONESELF}`,
  })
  async lock(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.lock(caller, userId)) };
  }

  @Post('unlock')
  @LifecycleRoute({
    body: 'empty',
    summary: 'Unlock user',
    description: `Sets a locked user back to USER_STATE_ACTIVE; any other state gives 400 (code 9). Needs user.write. ${NOT_ON_ONESELF}`,
  })
  async unlock(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.lifecycle.unlock(caller, userId)) };
  }
}

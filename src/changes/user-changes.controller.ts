import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { UserRoute } from '../common/protected-route.decorator';
import { UserIdPipe } from '../common/user-id.pipe';
import { ListChangesRequestDto, ListChangesResponseDto } from './dto/user-changes.dto';
import { toChangePage, toListChangesResponse } from './user-change.mapper';
import { UserChangesService } from './user-changes.service';

/** User service v2: the change history of any user the caller may read. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId/changes')
export class UserChangesController {
  constructor(private readonly changes: UserChangesService) {}

  @Post('_search')
  @UserRoute({
    response: ListChangesResponseDto,
    errors: [400, 403, 404],
    body: ListChangesRequestDto,
    summary: "List a user's changes",
    description:
      "Returns the history of the user's account (as ZITADEL's ListUserChanges): its events, newest first unless `query.asc`, paginated by sequence. Needs user.read, unless the user is the caller.",
  })
  async list(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: ListChangesRequestDto = {},
  ): Promise<ListChangesResponseDto> {
    return toListChangesResponse(await this.changes.list(caller, userId, toChangePage(body?.query)));
  }
}

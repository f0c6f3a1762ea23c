import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { ApiUserIdParam, UserIdPipe } from '../common/user-id.pipe';
import { ListChangesRequestDto, ListChangesResponseDto } from './dto/user-changes.dto';
import { toChangePage, toListChangesResponse } from './user-change.mapper';
import { UserChangesService } from './user-changes.service';

/** User service v2: the change history of any user the caller may read. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId/changes')
export class UserChangesController {
  constructor(private readonly changes: UserChangesService) {}

  @Post('_search')
  @HttpCode(200)
  @ApiOperation({
    summary: "List a user's changes",
    description:
      "Returns the history of the user's account (as ZITADEL's ListUserChanges): its events, newest first unless `query.asc`, paginated by sequence. Needs user.read, unless the user is the caller.",
  })
  @ApiUserIdParam()
  @ApiBody({ type: ListChangesRequestDto, required: false })
  @ApiOkResponse({ type: ListChangesResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async list(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: ListChangesRequestDto = {},
  ): Promise<ListChangesResponseDto> {
    return toListChangesResponse(await this.changes.list(caller, userId, toChangePage(body?.query)));
  }
}

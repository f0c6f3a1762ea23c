import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { ListChangesRequestDto, ListChangesResponseDto } from './dto/user-changes.dto';
import { toChangePage, toListChangesResponse } from './user-change.mapper';
import { UserChangesService } from './user-changes.service';

/** Auth API v1: the token's own user's change history. */
@ApiTags('Auth API v1')
@Controller('auth/v1/users/me/changes')
export class MyUserChangesController {
  constructor(private readonly changes: UserChangesService) {}

  @Post('_search')
  @HttpCode(200)
  @ApiOperation({
    summary: 'List my changes',
    description:
      "Returns the history of the authenticated user's account (ZITADEL's ListMyUserChanges): its events, newest first unless `query.asc`, paginated by sequence.",
  })
  @ApiBody({ type: ListChangesRequestDto, required: false })
  @ApiOkResponse({ type: ListChangesResponseDto })
  @ApiProtectedRoute(400)
  async list(@CurrentCaller() caller: Caller, @Body() body: ListChangesRequestDto = {}): Promise<ListChangesResponseDto> {
    return toListChangesResponse(await this.changes.list(caller, caller.userId, toChangePage(body?.query)));
  }
}

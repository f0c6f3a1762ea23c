import { Body, Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ProtectedRoute } from '../common/protected-route.decorator';
import { ListChangesRequestDto, ListChangesResponseDto } from './dto/user-changes.dto';
import { toChangePage, toListChangesResponse } from './user-change.mapper';
import { UserChangesService } from './user-changes.service';

/** Auth API v1: the token's own user's change history. */
@ApiTags('Auth API v1')
@Controller('auth/v1/users/me/changes')
export class MyUserChangesController {
  constructor(private readonly changes: UserChangesService) {}

  @Post('_search')
  @ProtectedRoute({
    response: ListChangesResponseDto,
    errors: [400],
    body: ListChangesRequestDto,
    summary: 'List my changes',
    description:
      "Returns the history of the authenticated user's account (ZITADEL's ListMyUserChanges): its events, newest first unless `query.asc`, paginated by sequence.",
  })
  async list(@CurrentCaller() caller: Caller, @Body() body: ListChangesRequestDto = {}): Promise<ListChangesResponseDto> {
    return toListChangesResponse(await this.changes.list(caller, caller.userId, toChangePage(body?.query)));
  }
}

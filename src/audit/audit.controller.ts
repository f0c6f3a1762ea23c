import { Body, Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { EXTENSION_PREFIX, EXTENSION_TAG } from '../common/extension-routes';
import { ProtectedRoute } from '../common/protected-route.decorator';
import { toAuditSearch, toSearchAuditEventsResponse } from './audit.mapper';
import { AuditService } from './audit.service';
import { SearchAuditEventsRequestDto, SearchAuditEventsResponseDto } from './dto/audit-events.dto';

/** The audit search: an extension of ours, in our own namespace. */
@ApiTags(EXTENSION_TAG)
@Controller(`${EXTENSION_PREFIX}/events`)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Post('_search')
  @ProtectedRoute({
    response: SearchAuditEventsResponseDto,
    errors: [400, 403, 404],
    summary: 'Search the audit events (an extension, not a ZITADEL API)',
    description:
      "Events of one organization (organizationId; needs events.read there: ORG_OWNER) or of the whole instance (events.read instance-wide: IAM_OWNER), deleted users' included, filtered by user, event types, acting user and time range; newest first unless asc. Paged by nextCursor, which stays stable while events are appended: no event is skipped or repeated. An event shows once every transaction older than its own has ended, usually at once.",
  })
  async search(@CurrentCaller() caller: Caller, @Body() body: SearchAuditEventsRequestDto): Promise<SearchAuditEventsResponseDto> {
    return toSearchAuditEventsResponse(await this.audit.search(caller, toAuditSearch(body)));
  }
}

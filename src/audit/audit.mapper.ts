import { AuditEventRecord } from './audit.repository';
import { AuditResult, AuditSearch, DEFAULT_AUDIT_LIMIT } from './audit.service';
import { AuditEventDto, SearchAuditEventsRequestDto, SearchAuditEventsResponseDto } from './dto/audit-events.dto';

/** The validated request as the service's search. */
export function toAuditSearch(body: SearchAuditEventsRequestDto): AuditSearch {
  return {
    filter: {
      organizationId: body.organizationId,
      userId: body.userId,
      eventTypes: body.eventTypes,
      editorUserId: body.editorUserId,
      since: body.range?.since !== undefined ? new Date(body.range.since) : undefined,
      until: body.range?.until !== undefined ? new Date(body.range.until) : undefined,
    },
    ascending: body.asc ?? false,
    limit: body.limit ?? DEFAULT_AUDIT_LIMIT,
    cursor: body.cursor,
  };
}

function toAuditEventDto(event: AuditEventRecord): AuditEventDto {
  const dto: AuditEventDto = {
    eventId: event.id,
    type: event.type,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    sequence: String(event.sequence),
    creationDate: event.createdAt.toISOString(),
    organizationId: event.resourceOwner,
    editorUserId: event.creator,
    payload: event.payload,
  };
  if (event.requestId !== null) dto.requestId = event.requestId;
  if (event.sourceAddress !== null) dto.sourceAddress = event.sourceAddress;
  if (event.userAgent !== null) dto.userAgent = event.userAgent;
  return dto;
}

/** Builds the search's response, field by field. */
export function toSearchAuditEventsResponse(result: AuditResult): SearchAuditEventsResponseDto {
  const dto: SearchAuditEventsResponseDto = { events: result.events.map(toAuditEventDto) };
  if (result.nextCursor !== undefined) dto.nextCursor = result.nextCursor;
  return dto;
}

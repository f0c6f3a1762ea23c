import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_AUDIT_LIMIT } from '../audit.service';

/** A time range (ZITADEL's ListEventsRequest.range): `since` inclusive, `until` exclusive. */
export class AuditTimeRangeDto {
  @ApiPropertyOptional({ description: 'events at or after this time', example: '2026-11-23T00:00:00.000Z', format: 'date-time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'range.since must be an RFC 3339 date-time' })
  since?: string;

  @ApiPropertyOptional({ description: 'events before this time', example: '2026-11-24T00:00:00.000Z', format: 'date-time' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'range.until must be an RFC 3339 date-time' })
  until?: string;
}

/** The audit search (our extension; field names after ZITADEL's admin ListEventsRequest where it has them). */
export class SearchAuditEventsRequestDto {
  @ApiPropertyOptional({
    description:
      'the organization whose events to search (needs events.read there: ORG_OWNER); unset: the whole instance (events.read instance-wide: IAM_OWNER)',
    example: '69629023906488334',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  organizationId?: string;

  @ApiPropertyOptional({ description: 'only the events of this user (deleted users included)', example: '163840776835432705' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  userId?: string;

  @ApiPropertyOptional({ description: 'only events of these types', example: ['user.human.otp.sms.removed', 'user.human.mfa.reset'], type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ description: 'only events written by this acting user', example: '163840776835432705' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  editorUserId?: string;

  @ApiPropertyOptional({ type: AuditTimeRangeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuditTimeRangeDto)
  range?: AuditTimeRangeDto;

  @ApiPropertyOptional({ description: 'oldest first; by default newest first', example: false })
  @IsOptional()
  @IsBoolean()
  asc?: boolean;

  @ApiPropertyOptional({ description: `at most this many events (unset: 100; at most ${MAX_AUDIT_LIMIT})`, example: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AUDIT_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page, sent with the same filters and order' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  cursor?: string;
}

export class AuditEventDto {
  @ApiProperty({ description: 'the event id: unique, increasing with the order of writing (not of commit)', example: '1234' })
  eventId: string;

  @ApiProperty({ example: 'user.human.otp.sms.removed' })
  type: string;

  @ApiProperty({ description: 'what the event belongs to: user or org', example: 'user' })
  aggregateType: string;

  @ApiProperty({ description: 'the user (or organization) id', example: '163840776835432705' })
  aggregateId: string;

  @ApiProperty({ description: "the event's sequence in its user's (or organization's) stream", example: '8', type: String, format: 'uint64' })
  sequence: string;

  @ApiProperty({ example: '2026-11-23T19:49:46.530Z', format: 'date-time' })
  creationDate: string;

  @ApiProperty({ description: 'the organization the event belongs to', example: '69629023906488334' })
  organizationId: string;

  @ApiProperty({ description: 'the acting user (system: the service itself)', example: '383343347846148416' })
  editorUserId: string;

  @ApiPropertyOptional({ example: '4f7e6f2c-8d1e-4a6b-9c55-1b9f3e2a7d10' })
  requestId?: string;

  @ApiPropertyOptional({ description: "the request's source address (X-Forwarded-For's client only behind a trusted proxy)", example: '203.0.113.7' })
  sourceAddress?: string;

  @ApiPropertyOptional({ example: 'Mozilla/5.0 (X11; Linux x86_64)' })
  userAgent?: string;

  @ApiProperty({ description: "the event's payload", example: { cause: 'mfa reset' }, type: Object })
  payload: Record<string, unknown>;
}

export class SearchAuditEventsResponseDto {
  @ApiProperty({ type: [AuditEventDto] })
  events: AuditEventDto[];

  @ApiPropertyOptional({ description: 'send it back as cursor (with the same filters and order) for the next page; absent: nothing more to read' })
  nextCursor?: string;
}

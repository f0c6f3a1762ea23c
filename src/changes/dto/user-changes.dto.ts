import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { MAX_CHANGES_LIMIT } from '../user-changes.service';

/** ZITADEL's `zitadel.change.v1.ChangeQuery`. */
export class ChangeQueryDto {
  @ApiPropertyOptional({
    description: 'page bound: with asc, changes after this sequence; without, changes before it (0 or unset: from the newest)',
    example: '0',
    type: String,
    format: 'uint64',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Matches(/^\d{1,15}$/, { message: 'sequence must be a non-negative integer' })
  sequence?: string;

  @ApiPropertyOptional({ description: `at most this many changes (0 or unset: 100; at most ${MAX_CHANGES_LIMIT})`, example: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_CHANGES_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'oldest first; by default newest first', example: false })
  @IsOptional()
  @IsBoolean()
  asc?: boolean;
}

export class ListChangesRequestDto {
  @ApiPropertyOptional({ type: ChangeQueryDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChangeQueryDto)
  query?: ChangeQueryDto;
}

/** ZITADEL's `zitadel.v1.LocalizedMessage`. */
export class LocalizedMessageDto {
  @ApiProperty({ example: 'user.human.otp.sms.removed' })
  key: string;

  @ApiPropertyOptional({ example: 'OTP SMS removed' })
  localizedMessage?: string;
}

/** ZITADEL's `zitadel.change.v1.Change`, plus `changeId`. */
export class ChangeDto {
  @ApiProperty({ description: 'the event id: the `id` webhooks receive for the same change', example: '1234' })
  changeId: string;

  @ApiProperty({ example: '2024-11-21T14:48:11.130Z', format: 'date-time' })
  changeDate: string;

  @ApiProperty({ type: LocalizedMessageDto })
  eventType: LocalizedMessageDto;

  @ApiProperty({ description: "the event's sequence in the user's stream", example: '8', type: String, format: 'uint64' })
  sequence: string;

  @ApiProperty({ description: 'the acting user', example: '163840776835432705' })
  editorId: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  editorDisplayName?: string;

  @ApiPropertyOptional({ example: 'ada' })
  editorPreferredLoginName?: string;

  @ApiProperty({ description: 'the organization that owns the user', example: '69629023906488334' })
  resourceOwnerId: string;
}

/** ZITADEL's `zitadel.v1.ListDetails`. */
export class ListDetailsDto {
  @ApiProperty({ description: "the number of events in the user's stream", example: '8', type: String, format: 'uint64' })
  totalResult: string;

  @ApiProperty({ description: "the user's last sequence when read", example: '8', type: String, format: 'uint64' })
  processedSequence: string;

  @ApiProperty({ example: '2024-11-21T14:48:12.001Z', format: 'date-time' })
  viewTimestamp: string;
}

export class ListChangesResponseDto {
  @ApiProperty({ type: ListDetailsDto })
  details: ListDetailsDto;

  @ApiProperty({ type: [ChangeDto] })
  result: ChangeDto[];
}

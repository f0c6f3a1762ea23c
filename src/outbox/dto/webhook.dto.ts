import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Max, Min } from 'class-validator';
import { ObjectDetailsDto } from '../../common/dto/object-details.dto';
import { UserEventType } from '../../users/user.record';
import { DELIVERY_STATUSES } from '../outbox-event';

export const WEBHOOK_EVENT_TYPES = ['*', ...Object.values(UserEventType)];

export class AddWebhookDto {
  @ApiProperty({ description: 'where the events are POSTed (http or https)', example: 'https://siem.example.com/hooks/auth-factors' })
  @IsString()
  @Length(1, 2000)
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'], require_tld: false }, { message: 'url must be an http or https URL' })
  url: string;

  @ApiProperty({
    description: 'the user event types to deliver; `*` delivers every user event of the organization',
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['user.human.otp.sms.removed', 'user.human.otp.email.removed', 'user.human.phone.removed'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each event type must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  eventTypes: string[];

  @ApiPropertyOptional({
    description: 'the HMAC-SHA256 key of the signature header (16 to 200 characters); generated when omitted, and returned only by this call',
    example: 'whsec-3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e',
  })
  @IsOptional()
  @IsString()
  @Length(16, 200)
  secret?: string;
}

export class UpdateWebhookDto extends PartialType(OmitType(AddWebhookDto, ['secret'] as const)) {
  @ApiPropertyOptional({ description: 'false pauses the webhook: new events are not delivered to it, pending deliveries are skipped', example: false })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class WebhookDto {
  @ApiProperty({ example: '69629023906488334' })
  webhookId: string;

  @ApiProperty({ example: 'https://siem.example.com/hooks/auth-factors' })
  url: string;

  @ApiProperty({ isArray: true, type: String, example: ['user.human.otp.sms.removed'] })
  eventTypes: string[];

  @ApiProperty({ description: 'false: paused (see PATCH)', example: true })
  active: boolean;

  @ApiProperty({ example: '2024-11-21T14:48:11.130Z', format: 'date-time' })
  creationDate: string;
}

export class UpdateWebhookResponseDto extends WebhookDto {
  @ApiProperty({ type: ObjectDetailsDto })
  details: ObjectDetailsDto;
}

export class RotateWebhookSecretResponseDto {
  @ApiProperty({ description: 'the new signing secret; store it now, it is not shown again', example: 'whsec-3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e' })
  secret: string;

  @ApiProperty({ type: ObjectDetailsDto })
  details: ObjectDetailsDto;
}

export class TestWebhookResponseDto {
  @ApiProperty({ description: 'whether the receiver answered the test event with 2xx', example: false })
  delivered: boolean;

  @ApiPropertyOptional({ description: 'why not, as a delivery would record it', example: 'HTTP 500' })
  error?: string;
}

export class AddWebhookResponseDto extends WebhookDto {
  @ApiProperty({ description: 'the signing secret; store it now, it is not shown again', example: 'whsec-3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e' })
  secret: string;

  @ApiProperty({ type: ObjectDetailsDto })
  details: ObjectDetailsDto;
}

export class ListWebhooksResponseDto {
  @ApiProperty({ type: [WebhookDto] })
  result: WebhookDto[];
}

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, description: 'only deliveries in this status' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'at most this many, newest first (1 to 1000)', default: 100, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class DeliveryDto {
  @ApiProperty({ example: '42' })
  deliveryId: string;

  @ApiProperty({ description: 'the event id, as in the webhook body `id`: receivers de-duplicate on it', example: '1234' })
  eventId: string;

  @ApiProperty({ example: 'user.human.otp.sms.removed' })
  eventType: string;

  @ApiProperty({ example: '163840776835432705' })
  userId: string;

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      'pending: an attempt is due at nextAttemptDate; delivered: a 2xx answer; dead: every attempt failed (dead letter); skipped: nothing to deliver to',
  })
  status: string;

  @ApiProperty({ description: 'attempts made so far', example: 1 })
  attempts: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'when the next attempt is due (pending only)' })
  nextAttemptDate?: string;

  @ApiPropertyOptional({ description: 'why the last attempt failed', example: 'HTTP 500' })
  lastError?: string;

  @ApiProperty({ format: 'date-time' })
  creationDate: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'when it was delivered, dead-lettered or skipped' })
  finishDate?: string;
}

export class ListDeliveriesResponseDto {
  @ApiProperty({ type: [DeliveryDto] })
  result: DeliveryDto[];
}

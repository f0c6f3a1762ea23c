import { ObjectDetails, toDetailsDto } from '../common/object-details.mapper';
import { AddWebhookResponseDto, DeliveryDto, WebhookDto } from './dto/webhook.dto';
import { DeliveryRecord } from './outbox.repository';
import { WebhookRecord } from './webhooks.repository';

/** A webhook on the wire, without its secret. */
export function toWebhookDto(webhook: WebhookRecord): WebhookDto {
  return {
    webhookId: webhook.id,
    url: webhook.url,
    eventTypes: [...webhook.eventTypes],
    active: webhook.active,
    creationDate: webhook.createdAt.toISOString(),
  };
}

/** A delivery on the wire; unset fields omitted. */
export function toDeliveryDto(delivery: DeliveryRecord): DeliveryDto {
  const dto: DeliveryDto = {
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    userId: delivery.userId,
    status: delivery.status,
    attempts: delivery.attempts,
    creationDate: delivery.createdAt.toISOString(),
  };
  if (delivery.status === 'pending') dto.nextAttemptDate = delivery.nextAttemptAt.toISOString();
  if (delivery.lastError) dto.lastError = delivery.lastError;
  if (delivery.finishedAt) dto.finishDate = delivery.finishedAt.toISOString();
  return dto;
}

/** The answer to adding a webhook: the webhook, its secret (shown this once) and the details. */
export function toAddWebhookResponse(webhook: WebhookRecord, details: ObjectDetails): AddWebhookResponseDto {
  return { ...toWebhookDto(webhook), secret: webhook.secret, details: toDetailsDto(details) };
}

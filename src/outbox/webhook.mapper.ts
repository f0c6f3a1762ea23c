import { ObjectDetails, toDetailsDto } from '../common/object-details.mapper';
import { AddWebhookResponseDto, DeliveryDto, UpdateWebhookResponseDto, WebhookDto } from './dto/webhook.dto';
import { DeliveryRecord } from './outbox.repository';
import { WebhookRecord } from './webhooks.repository';

/** A webhook's fields on the wire, without its secret: a plain object the responses extend. */
function webhookFields(webhook: WebhookRecord): Pick<WebhookDto, keyof WebhookDto> {
  return {
    webhookId: webhook.id,
    url: webhook.url,
    eventTypes: [...webhook.eventTypes],
    active: webhook.active,
    creationDate: webhook.createdAt.toISOString(),
  };
}

/** A webhook on the wire, without its secret. */
export function toWebhookDto(webhook: WebhookRecord): WebhookDto {
  return webhookFields(webhook);
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
  return { ...webhookFields(webhook), secret: webhook.secret, details: toDetailsDto(details) };
}

/** The answer to changing a webhook: the webhook as it now is and the details. */
export function toUpdateWebhookResponse(webhook: WebhookRecord, details: ObjectDetails): UpdateWebhookResponseDto {
  return { ...webhookFields(webhook), details: toDetailsDto(details) };
}

import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { toWebhookPayload, OutboxEvent } from './outbox-event';

export const SIGNATURE_HEADER = 'x-authfactors-signature';
export const TIMESTAMP_HEADER = 'x-authfactors-timestamp';

/** `sha256=<hex>`: the HMAC-SHA256 of `${timestamp}.${body}` under the webhook's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Posts one event to one webhook, signed; any answer but 2xx, and a timeout, is a failure. */
@Injectable()
export class WebhookSender {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Resolves on a 2xx answer; rejects with the reason otherwise. */
  async send(target: { url: string; secret: string }, event: OutboxEvent, attempt: number): Promise<void> {
    const body = JSON.stringify(toWebhookPayload(event));
    const timestamp = String(Math.floor(Date.now() / 1000));
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'auth-factors-webhooks',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
          'x-authfactors-event-id': event.id,
          'x-authfactors-attempt': String(attempt),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.outbox.deliveryTimeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new Error(`no answer within ${this.config.outbox.deliveryTimeoutMs} ms`);
      throw new Error(`request failed: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
  }
}

import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import type { WebhookPayload } from './outbox-event';
import { NonPublicAddressError, nonPublicUrlReason, publicOnlyLookup } from './webhook-address.policy';

export const SIGNATURE_HEADER = 'x-authfactors-signature';
export const TIMESTAMP_HEADER = 'x-authfactors-timestamp';

/** `sha256=<hex>`: the HMAC-SHA256 of `${timestamp}.${body}` under the webhook's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Of a receiver's answer only this much is read: its status decides, and a huge body must not fill our memory. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Posts one event to one webhook, signed; any answer but 2xx, and a timeout, is a failure. Only public addresses
 * are connected to unless private networks are allowed ({@link publicOnlyLookup}); redirects are not followed.
 */
@Injectable()
export class WebhookSender {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Resolves on a 2xx answer; rejects with the reason otherwise. */
  async send(target: { url: string; secret: string }, payload: WebhookPayload, attempt: number): Promise<void> {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const allowPrivate = this.config.outbox.webhookAllowPrivateNetworks;
    const refused = allowPrivate ? undefined : nonPublicUrlReason(target.url);
    if (refused) throw new Error(`refused: ${refused} (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`);
    const status = await post(new URL(target.url), {
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'auth-factors-webhooks',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
        'x-authfactors-event-id': payload.id,
        'x-authfactors-attempt': String(attempt),
      },
      body,
      lookup: allowPrivate ? undefined : publicOnlyLookup,
      timeoutMs: this.config.outbox.deliveryTimeoutMs,
    });
    if (status < 200 || status > 299) throw new Error(`HTTP ${status}`);
  }
}

interface PostOptions {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly lookup?: LookupFunction;
  readonly timeoutMs: number;
}

/** POSTs and resolves with the answer's status once at most {@link MAX_RESPONSE_BYTES} of its body were read. */
function post(url: URL, options: PostOptions): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      // No pooled connection: each attempt resolves (and so checks) its address afresh.
      { method: 'POST', headers: options.headers, lookup: options.lookup, agent: false, signal: AbortSignal.timeout(options.timeoutMs) },
      (response) => {
        let read = 0;
        const done = () => {
          response.destroy();
          resolve(response.statusCode ?? 0);
        };
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) done();
        });
        response.on('end', done);
        response.on('error', done);
      },
    );
    outgoing.on('error', (error: Error & { code?: string }) => {
      if (error.name === 'AbortError') reject(new Error(`no answer within ${options.timeoutMs} ms`));
      else if (error instanceof NonPublicAddressError) reject(new Error(`refused: ${error.message}`));
      else reject(new Error(`request failed: ${error.code ?? error.message}`));
    });
    outgoing.end(options.body);
  });
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig, SmsConfig } from '@app/config';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook.sender';

/** One text message to one number. */
export interface SmsMessage {
  readonly to: string;
  readonly text: string;
  /** Our reference for the message (the code's id), for the provider's logs and de-duplication. */
  readonly reference: string;
}

/**
 * Sends SMS through the configured provider (SMS_PROVIDER): a Twilio-compatible Messages API, or a plain JSON
 * webhook signed like the organizations' webhooks. Any answer but 2xx, and a timeout, is a failure to retry.
 */
@Injectable()
export class SmsSender {
  private readonly sms: SmsConfig;
  private readonly timeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.sms = config.sms;
    this.timeoutMs = config.outbox.deliveryTimeoutMs;
  }

  /** Whether a provider is configured; without one, codes are logged (development) and the deliveries recorded as skipped. */
  get enabled(): boolean {
    return this.sms.provider !== 'none';
  }

  /** Resolves once the provider accepted the message; rejects with the reason otherwise. */
  async send(message: SmsMessage): Promise<void> {
    const sms = this.sms;
    if (sms.provider === 'none') throw new Error('SMS_PROVIDER is none');
    if (sms.provider === 'twilio') {
      const url = `${sms.apiUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(sms.accountSid)}/Messages.json`;
      await this.post(
        url,
        {
          authorization: `Basic ${Buffer.from(`${sms.accountSid}:${sms.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        new URLSearchParams({ To: message.to, From: sms.from, Body: message.text }).toString(),
      );
      return;
    }
    const body = JSON.stringify({ to: message.to, text: message.text, reference: message.reference });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature: Record<string, string> = sms.secret ? { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook(sms.secret, timestamp, body) } : {};
    await this.post(sms.url, { 'content-type': 'application/json', ...signature }, body);
  }

  private async post(url: string, headers: Record<string, string>, body: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'user-agent': 'auth-factors-sms', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new Error(`SMS provider: no answer within ${this.timeoutMs} ms`);
      throw new Error(`SMS provider: request failed: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    // The answer's body is not needed: it is dropped unread, so a large one costs nothing.
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`SMS provider: HTTP ${response.status}`);
  }
}

import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { OutboxEvent, securityMail } from './outbox-event';

/** Sends e-mails over SMTP (`SMTP_URL`): security notices, and the codes that verify an address or sign in. */
@Injectable()
export class MailSender implements OnModuleDestroy {
  private readonly transporter?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.smtp.url) {
      const timeout = config.outbox.deliveryTimeoutMs;
      this.transporter = nodemailer.createTransport(
        { url: config.smtp.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout },
        { from: config.smtp.from },
      );
    }
  }

  /** Whether SMTP is configured; without it e-mails are recorded as skipped. */
  get enabled(): boolean {
    return this.transporter !== undefined;
  }

  /** Sends the security notice about `event` to `to`; rejects when the server does not accept it. */
  sendSecurityNotice(to: string, event: OutboxEvent): Promise<void> {
    return this.send(to, securityMail(event), { 'X-AuthFactors-Event-Id': event.id });
  }

  /** Sends `mail` to `to`; rejects when the server does not accept it. */
  async send(to: string, mail: { subject: string; text: string }, headers: Record<string, string>): Promise<void> {
    if (!this.transporter) throw new Error('SMTP_URL is unset');
    await this.transporter.sendMail({ to, subject: mail.subject, text: mail.text, headers });
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }
}

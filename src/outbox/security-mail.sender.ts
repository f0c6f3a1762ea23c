import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { OutboxEvent, securityMail } from './outbox-event';

/** Sends the security e-mails over SMTP (`SMTP_URL`). */
@Injectable()
export class SecurityMailSender implements OnModuleDestroy {
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

  /** Sends the e-mail about `event` to `to`; rejects when the server does not accept it. */
  async send(to: string, event: OutboxEvent): Promise<void> {
    if (!this.transporter) throw new Error('SMTP_URL is unset');
    const mail = securityMail(event);
    await this.transporter.sendMail({
      to,
      subject: mail.subject,
      text: mail.text,
      headers: { 'X-AuthFactors-Event-Id': event.id },
    });
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }
}

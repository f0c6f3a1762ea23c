import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PermissionsModule } from '../permissions/permissions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxRepository } from './outbox.repository';
import { MailSender } from './mail.sender';
import { SmsSender } from './sms.sender';
import { WebhookSender } from './webhook.sender';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** The transactional outbox: events fanned out to webhooks, security e-mails and codes (SMS, e-mail), delivered at least once. */
@Module({
  imports: [OrganizationsModule, PermissionsModule, UsersModule, VerificationModule],
  controllers: [WebhooksController],
  providers: [OutboxRepository, WebhooksRepository, WebhooksService, WebhookSender, MailSender, SmsSender, OutboxMetrics, OutboxDispatcher],
  exports: [OutboxDispatcher],
})
export class OutboxModule {}

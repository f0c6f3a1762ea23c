import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PermissionsModule } from '../permissions/permissions.module';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxRepository } from './outbox.repository';
import { SecurityMailSender } from './security-mail.sender';
import { WebhookSender } from './webhook.sender';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** The transactional outbox: events fanned out to webhooks and security e-mails, delivered at least once. */
@Module({
  imports: [OrganizationsModule, PermissionsModule],
  controllers: [WebhooksController],
  providers: [OutboxRepository, WebhooksRepository, WebhooksService, WebhookSender, SecurityMailSender, OutboxMetrics, OutboxDispatcher],
  exports: [OutboxDispatcher],
})
export class OutboxModule {}

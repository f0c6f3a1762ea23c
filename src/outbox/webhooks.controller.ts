import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { ApiOrgIdParam, OrganizationRoute, ProtectedRoute, RouteDescription } from '../common/protected-route.decorator';
import {
  AddWebhookDto,
  AddWebhookResponseDto,
  ListDeliveriesQueryDto,
  ListDeliveriesResponseDto,
  ListWebhooksResponseDto,
  RotateWebhookSecretResponseDto,
  TestWebhookResponseDto,
  UpdateWebhookDto,
  UpdateWebhookResponseDto,
} from './dto/webhook.dto';
import { DeliveryStatus } from './outbox-event';
import { toAddWebhookResponse, toDeliveryDto, toUpdateWebhookResponse, toWebhookDto } from './webhook.mapper';
import { WebhooksService } from './webhooks.service';

const WEBHOOK_ID_PARAM = { name: 'webhookId', description: 'the webhook id', example: '69629023906488400' };

/** A route on one of the organization's webhooks. */
const WebhookRoute = (route: Omit<RouteDescription, 'params'>) => ProtectedRoute({ ...route, params: [ApiOrgIdParam(), ApiParam(WEBHOOK_ID_PARAM)] });

/** An organization's webhooks: signed POSTs of its users' events, and their deliveries. */
@ApiTags('Organization Service v2')
@Controller('v2/organizations/:orgId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @OrganizationRoute({
    response: AddWebhookResponseDto,
    errors: [400, 403, 404],
    summary: 'Add a webhook',
    description:
      "Deliver the organization's user events of the given types as signed JSON POSTs (X-AuthFactors-Signature: sha256=HMAC-SHA256 of `${timestamp}.${body}`, X-AuthFactors-Timestamp), at least once, with retries. Needs org.webhook.write in the organization (ORG_OWNER, IAM_OWNER).",
  })
  async create(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Body() body: AddWebhookDto): Promise<AddWebhookResponseDto> {
    const { webhook, details } = await this.webhooks.create(caller, orgId, body);
    return toAddWebhookResponse(webhook, details);
  }

  @Get()
  @OrganizationRoute({
    response: ListWebhooksResponseDto,
    errors: [403, 404],
    summary: 'List webhooks',
    description: "The organization's webhooks, without their secrets. Needs org.webhook.write in the organization.",
  })
  async list(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string): Promise<ListWebhooksResponseDto> {
    return { result: (await this.webhooks.list(caller, orgId)).map(toWebhookDto) };
  }

  @Get(':webhookId/deliveries')
  @WebhookRoute({
    response: ListDeliveriesResponseDto,
    errors: [400, 403, 404],
    summary: "List a webhook's deliveries",
    description:
      'Newest first, optionally of one status; `status=dead` lists the dead letters (every attempt failed). Needs org.webhook.write in the organization.',
  })
  async deliveries(
    @CurrentCaller() caller: Caller,
    @Param('orgId') orgId: string,
    @Param('webhookId') webhookId: string,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<ListDeliveriesResponseDto> {
    const deliveries = await this.webhooks.deliveries(caller, orgId, webhookId, query.status as DeliveryStatus | undefined, query.limit ?? 100);
    return { result: deliveries.map(toDeliveryDto) };
  }

  @Patch(':webhookId')
  @WebhookRoute({
    response: UpdateWebhookResponseDto,
    errors: [400, 403, 404],
    summary: 'Change a webhook',
    description: 'Its URL (the same address rules as adding), event types, or `active` (false pauses it). Needs org.webhook.write in the organization.',
  })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('orgId') orgId: string,
    @Param('webhookId') webhookId: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<UpdateWebhookResponseDto> {
    const { webhook, details } = await this.webhooks.update(caller, orgId, webhookId, body);
    return toUpdateWebhookResponse(webhook, details);
  }

  @Delete(':webhookId')
  @WebhookRoute({
    response: DetailsResponseDto,
    errors: [403, 404],
    summary: 'Delete a webhook',
    description: 'Its pending deliveries are skipped; past ones stay. Needs org.webhook.write in the organization.',
  })
  async remove(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Param('webhookId') webhookId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.webhooks.remove(caller, orgId, webhookId)) };
  }

  @Post(':webhookId/_rotate_secret')
  @WebhookRoute({
    response: RotateWebhookSecretResponseDto,
    errors: [403, 404],
    summary: "Rotate a webhook's secret",
    description: 'Replaces the signing secret with a generated one, returned only by this call; deliveries sign with it from now on. Needs org.webhook.write.',
  })
  async rotateSecret(
    @CurrentCaller() caller: Caller,
    @Param('orgId') orgId: string,
    @Param('webhookId') webhookId: string,
  ): Promise<RotateWebhookSecretResponseDto> {
    const { secret, details } = await this.webhooks.rotateSecret(caller, orgId, webhookId);
    return { secret, details: toDetailsDto(details) };
  }

  @Post(':webhookId/_test')
  @WebhookRoute({
    response: TestWebhookResponseDto,
    errors: [403, 404],
    summary: 'Send a test event to a webhook',
    description:
      'POSTs a signed `webhook.test` event now, as a delivery would, and tells whether the receiver answered 2xx; nothing is stored. Needs org.webhook.write.',
  })
  async sendTest(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Param('webhookId') webhookId: string): Promise<TestWebhookResponseDto> {
    const result = await this.webhooks.sendTest(caller, orgId, webhookId);
    return result.error === undefined ? { delivered: result.delivered } : { delivered: result.delivered, error: result.error };
  }
}

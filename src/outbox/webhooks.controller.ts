import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
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

const ORG_ID_PARAM = { name: 'orgId', description: 'the organization id', example: '69629023906488334' };
const WEBHOOK_ID_PARAM = { name: 'webhookId', description: 'the webhook id', example: '69629023906488400' };

/** An organization's webhooks: signed POSTs of its users' events, and their deliveries. */
@ApiTags('Organization Service v2')
@Controller('v2/organizations/:orgId/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add a webhook',
    description:
      "Deliver the organization's user events of the given types as signed JSON POSTs (X-AuthFactors-Signature: sha256=HMAC-SHA256 of `${timestamp}.${body}`, X-AuthFactors-Timestamp), at least once, with retries. Needs org.webhook.write in the organization (ORG_OWNER, IAM_OWNER).",
  })
  @ApiParam(ORG_ID_PARAM)
  @ApiOkResponse({ type: AddWebhookResponseDto })
  @ApiProtectedRoute(400, 403, 404)
  async create(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Body() body: AddWebhookDto): Promise<AddWebhookResponseDto> {
    const { webhook, details } = await this.webhooks.create(caller, orgId, body);
    return toAddWebhookResponse(webhook, details);
  }

  @Get()
  @ApiOperation({ summary: 'List webhooks', description: "The organization's webhooks, without their secrets. Needs org.webhook.write in the organization." })
  @ApiParam(ORG_ID_PARAM)
  @ApiOkResponse({ type: ListWebhooksResponseDto })
  @ApiProtectedRoute(403, 404)
  async list(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string): Promise<ListWebhooksResponseDto> {
    return { result: (await this.webhooks.list(caller, orgId)).map(toWebhookDto) };
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({
    summary: "List a webhook's deliveries",
    description:
      'Newest first, optionally of one status; `status=dead` lists the dead letters (every attempt failed). Needs org.webhook.write in the organization.',
  })
  @ApiParam(ORG_ID_PARAM)
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ type: ListDeliveriesResponseDto })
  @ApiProtectedRoute(400, 403, 404)
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
  @ApiOperation({
    summary: 'Change a webhook',
    description: 'Its URL (the same address rules as adding), event types, or `active` (false pauses it). Needs org.webhook.write in the organization.',
  })
  @ApiParam(ORG_ID_PARAM)
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ type: UpdateWebhookResponseDto })
  @ApiProtectedRoute(400, 403, 404)
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
  @ApiOperation({
    summary: 'Delete a webhook',
    description: 'Its pending deliveries are skipped; past ones stay. Needs org.webhook.write in the organization.',
  })
  @ApiParam(ORG_ID_PARAM)
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(403, 404)
  async remove(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Param('webhookId') webhookId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.webhooks.remove(caller, orgId, webhookId)) };
  }

  @Post(':webhookId/_rotate_secret')
  @HttpCode(200)
  @ApiOperation({
    summary: "Rotate a webhook's secret",
    description: 'Replaces the signing secret with a generated one, returned only by this call; deliveries sign with it from now on. Needs org.webhook.write.',
  })
  @ApiParam(ORG_ID_PARAM)
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ type: RotateWebhookSecretResponseDto })
  @ApiProtectedRoute(403, 404)
  async rotateSecret(
    @CurrentCaller() caller: Caller,
    @Param('orgId') orgId: string,
    @Param('webhookId') webhookId: string,
  ): Promise<RotateWebhookSecretResponseDto> {
    const { secret, details } = await this.webhooks.rotateSecret(caller, orgId, webhookId);
    return { secret, details: toDetailsDto(details) };
  }

  @Post(':webhookId/_test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a test event to a webhook',
    description:
      'POSTs a signed `webhook.test` event now, as a delivery would, and tells whether the receiver answered 2xx; nothing is stored. Needs org.webhook.write.',
  })
  @ApiParam(ORG_ID_PARAM)
  @ApiParam(WEBHOOK_ID_PARAM)
  @ApiOkResponse({ type: TestWebhookResponseDto })
  @ApiProtectedRoute(403, 404)
  async sendTest(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Param('webhookId') webhookId: string): Promise<TestWebhookResponseDto> {
    const result = await this.webhooks.sendTest(caller, orgId, webhookId);
    return result.error === undefined ? { delivered: result.delivered } : { delivered: result.delivered, error: result.error };
  }
}

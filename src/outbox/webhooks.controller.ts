import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { AddWebhookDto, AddWebhookResponseDto, ListDeliveriesQueryDto, ListDeliveriesResponseDto, ListWebhooksResponseDto } from './dto/webhook.dto';
import { DeliveryStatus } from './outbox-event';
import { toAddWebhookResponse, toDeliveryDto, toWebhookDto } from './webhook.mapper';
import { WebhooksService } from './webhooks.service';

const ORG_ID_PARAM = { name: 'orgId', description: 'the organization id', example: '69629023906488334' };

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
  @ApiParam({ name: 'webhookId', description: 'the webhook id', example: '69629023906488400' })
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
}

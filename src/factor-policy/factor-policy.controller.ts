import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { InvalidArgumentError } from '@app/errors';
import { toDetailsDto } from '../common/object-details.mapper';
import { OrganizationRoute } from '../common/protected-route.decorator';
import { GetFactorPolicyResponseDto, SetFactorPolicyDto, SetFactorPolicyResponseDto } from './dto/factor-policy.dto';
import { toFactorPolicyDto } from './factor-policy.mapper';
import { FactorPolicyService } from './factor-policy.service';

const MAX_AUTH_AGE_SECONDS = 30 * 86_400;

/** An organization's factor policy (forced MFA, step-up freshness), in the v2 style. */
@ApiTags('Organization Service v2')
@Controller('v2/organizations/:orgId/factor_policy')
export class FactorPolicyController {
  constructor(private readonly policies: FactorPolicyService) {}

  @Get()
  @OrganizationRoute({
    response: GetFactorPolicyResponseDto,
    errors: [403, 404],
    summary: 'Get the factor policy of an organization',
    description: "The policy in force: the organization's own, or the configured defaults (isDefault: true). Needs org.read there (ORG_OWNER, IAM_OWNER).",
  })
  async get(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string): Promise<GetFactorPolicyResponseDto> {
    return { policy: toFactorPolicyDto(await this.policies.get(caller, orgId)) };
  }

  @Put()
  @OrganizationRoute({
    response: SetFactorPolicyResponseDto,
    errors: [400, 403, 404],
    summary: 'Set the factor policy of an organization',
    description: "Replaces the organization's factor policy; a field left out is reset. Needs org.policy.write there (ORG_OWNER, IAM_OWNER).",
  })
  async set(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Body() body: SetFactorPolicyDto): Promise<SetFactorPolicyResponseDto> {
    const maxAge = body.factorChangeMaxAuthAge === undefined ? undefined : Number(body.factorChangeMaxAuthAge.slice(0, -1));
    if (maxAge !== undefined && maxAge > MAX_AUTH_AGE_SECONDS) {
      throw new InvalidArgumentError('AUTHF-POLICY-400', `factorChangeMaxAuthAge must be at most ${MAX_AUTH_AGE_SECONDS}s (30 days)`);
    }
    const { policy, details } = await this.policies.set(caller, orgId, { forceMfa: body.forceMfa, factorChangeMaxAuthAgeSeconds: maxAge });
    return { policy: toFactorPolicyDto(policy), details: toDetailsDto(details) };
  }
}

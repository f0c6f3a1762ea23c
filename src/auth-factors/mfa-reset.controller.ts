import { Controller, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import type { FastifyReply } from 'fastify';
import { EXTENSION_PREFIX, EXTENSION_TAG } from '../common/extension-routes';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { UserIdPipe } from '../common/user-id.pipe';
import { AuthFactorsService } from './auth-factors.service';
import { FactorCommand, FactorCommandRoute } from './factor-command.decorator';
import type { FactorCommandOptions } from './factor-command.options';
import { factorResponse } from './factor-response';

/** The MFA reset: an extension of ours, in our own namespace (ZITADEL has no such call). */
@ApiTags(EXTENSION_TAG)
@Controller(`${EXTENSION_PREFIX}/users/:userId`)
export class MfaResetController {
  constructor(private readonly factors: AuthFactorsService) {}

  @Post('mfa/_reset')
  @FactorCommandRoute({
    target: 'user',
    action: 'reset',
    summary: "Reset a user's MFA (an extension, not a ZITADEL API)",
    description:
      "Removes all of the user's second factors in one transaction, e.g. after a lost phone: one removal event per factor, then one user.human.mfa.reset event, and one security e-mail to the user. Administrators only (user.write on the user), never on oneself (403). When the organization forces MFA, force=true and a reason are required (else 400, code 9, AUTHF-RESET-FORCE). A user without factors gives 404 (AUTHF-RESET-404). A caller with only organization-level roles cannot reset a user holding an instance-level role (403). If-Match and Idempotency-Key work as on the single removals.",
  })
  async reset(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    return factorResponse(reply, await this.factors.resetMfa(caller, userId, options));
  }
}

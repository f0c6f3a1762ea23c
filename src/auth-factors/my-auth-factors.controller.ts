import { Controller, Delete, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import type { FastifyReply } from 'fastify';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toListAuthFactorsResponse } from './auth-factor.mapper';
import { AuthFactorsService } from './auth-factors.service';
import { ListAuthFactorsResponseDto } from './dto/auth-factor.dto';
import { FactorCommand, FactorCommandRoute, FactorQueryRoute } from './factor-command.decorator';
import type { FactorCommandOptions } from './factor-command.options';
import { etagOf } from './factor-command.options';
import { factorResponse } from './factor-response';

/** Auth API v1: the token's own user ("me"). */
@ApiTags('Auth API v1')
@Controller('auth/v1/users/me/auth_factors')
export class MyAuthFactorsController {
  constructor(private readonly factors: AuthFactorsService) {}

  @Post('_search')
  @FactorQueryRoute({
    target: 'me',
    response: ListAuthFactorsResponseDto,
    body: 'empty',
    summary: 'List my second factors',
    description: 'Returns the second factors (OTP SMS, OTP Email) of the authenticated user.',
  })
  async list(@CurrentCaller() caller: Caller, @Res({ passthrough: true }) reply: FastifyReply): Promise<ListAuthFactorsResponseDto> {
    const { factors, sequence } = await this.factors.listWithSequence(caller, caller.userId);
    void reply.header('etag', etagOf(sequence));
    return toListAuthFactorsResponse(factors);
  }

  @Post('otp_sms')
  @FactorCommandRoute({
    target: 'me',
    action: 'add',
    summary: 'Add One-Time Password (OTP) SMS',
    description:
      'Add a new One-Time Password (OTP) SMS factor to the authenticated user. OTP SMS will enable the user to verify a OTP with the latest verified phone number. The phone number has to be verified to add the second factor.',
  })
  async addOtpSms(
    @CurrentCaller() caller: Caller,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.addOtpSms(caller, caller.userId, options);
    return factorResponse(reply, details, 'creation');
  }

  @Delete('otp_sms')
  @FactorCommandRoute({
    target: 'me',
    action: 'remove',
    summary: 'Remove One-Time Password (OTP) SMS',
    description:
      'Remove the configured One-Time Password (OTP) SMS factor of the authenticated user. As only one OTP SMS per user is allowed, the user will not have OTP SMS as a second factor afterward.',
  })
  async removeOtpSms(
    @CurrentCaller() caller: Caller,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.removeOtpSms(caller, caller.userId, options);
    return factorResponse(reply, details, 'creationAndChange');
  }

  @Post('otp_email')
  @FactorCommandRoute({
    target: 'me',
    action: 'add',
    summary: 'Add One-Time Password (OTP) Email',
    description:
      'Add a new One-Time Password (OTP) Email factor to the authenticated user. OTP Email will enable the user to verify a OTP with the latest verified email. The email has to be verified to add the second factor.',
  })
  async addOtpEmail(
    @CurrentCaller() caller: Caller,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.addOtpEmail(caller, caller.userId, options);
    return factorResponse(reply, details, 'creation');
  }

  @Delete('otp_email')
  @FactorCommandRoute({
    target: 'me',
    action: 'remove',
    summary: 'Remove One-Time Password (OTP) Email',
    description:
      'Remove the configured One-Time Password (OTP) Email factor of the authenticated user. As only one OTP Email per user is allowed, the user will not have OTP Email as a second factor afterward.',
  })
  async removeOtpEmail(
    @CurrentCaller() caller: Caller,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.removeOtpEmail(caller, caller.userId, options);
    return factorResponse(reply, details, 'creationAndChange');
  }
}

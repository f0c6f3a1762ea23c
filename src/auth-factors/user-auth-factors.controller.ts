import { Controller, Delete, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import type { FastifyReply } from 'fastify';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { UserIdPipe } from '../common/user-id.pipe';
import { AuthFactorsService } from './auth-factors.service';
import { FactorCommand, FactorCommandRoute } from './factor-command.decorator';
import type { FactorCommandOptions } from './factor-command.options';
import { factorResponse } from './factor-response';

/** User service v2: any user the caller may manage. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class UserAuthFactorsController {
  constructor(private readonly factors: AuthFactorsService) {}

  @Post('otp_sms')
  @FactorCommandRoute({
    target: 'user',
    action: 'add',
    summary: 'Add One-Time Password (OTP) SMS to a user',
    description:
      'Add a new One-Time Password (OTP) SMS factor to the user. The user needs a verified phone number. Needs user.credential.write, unless the user is the caller.',
  })
  async addOtpSms(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.addOtpSms(caller, userId, options);
    return factorResponse(reply, details);
  }

  @Delete('otp_sms')
  @FactorCommandRoute({
    target: 'user',
    action: 'remove',
    summary: 'Remove One-Time Password (OTP) SMS from a user',
    description:
      'Remove the configured One-Time Password (OTP) SMS factor of a user. As only one OTP SMS per user is allowed, the user will not have OTP SMS as a second factor afterward. Needs user.write, unless the user is the caller.',
  })
  async removeOtpSms(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.removeOtpSms(caller, userId, options);
    return factorResponse(reply, details);
  }

  @Post('otp_email')
  @FactorCommandRoute({
    target: 'user',
    action: 'add',
    summary: 'Add One-Time Password (OTP) Email to a user',
    description:
      'Add a new One-Time Password (OTP) Email factor to the user. The user needs a verified e-mail address. Needs user.credential.write, unless the user is the caller.',
  })
  async addOtpEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.addOtpEmail(caller, userId, options);
    return factorResponse(reply, details);
  }

  @Delete('otp_email')
  @FactorCommandRoute({
    target: 'user',
    action: 'remove',
    summary: 'Remove One-Time Password (OTP) Email from a user',
    description:
      'Remove the configured One-Time Password (OTP) Email factor of a user. As only one OTP Email per user is allowed, the user will not have OTP Email as a second factor afterward. Needs user.write, unless the user is the caller.',
  })
  async removeOtpEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.removeOtpEmail(caller, userId, options);
    return factorResponse(reply, details);
  }
}

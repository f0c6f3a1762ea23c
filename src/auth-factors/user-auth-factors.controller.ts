import { Controller, Delete, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import type { FastifyReply } from 'fastify';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { UserIdPipe } from '../common/user-id.pipe';
import { AuthFactorsService } from './auth-factors.service';
import { ApiFactorCommand, EMPTY_REQUEST_BODY, ETAG_RESPONSE_HEADER, FactorCommand } from './factor-command.decorator';
import type { FactorCommandOptions } from './factor-command.options';
import { factorResponse } from './factor-response';

const USER_ID_PARAM = { name: 'userId', description: 'the user id (1 to 200 characters)', example: '163840776835432705' };

/** User service v2: any user the caller may manage. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class UserAuthFactorsController {
  constructor(private readonly factors: AuthFactorsService) {}

  @Post('otp_sms')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add One-Time Password (OTP) SMS to a user',
    description:
      'Add a new One-Time Password (OTP) SMS factor to the user. The user needs a verified phone number. Needs user.credential.write, unless the user is the caller.',
  })
  @ApiParam(USER_ID_PARAM)
  @ApiBody(EMPTY_REQUEST_BODY)
  @ApiOkResponse({ type: DetailsResponseDto, headers: ETAG_RESPONSE_HEADER })
  @ApiFactorCommand()
  @ApiProtectedRoute(400, 403, 404, 409, 429)
  async addOtpSms(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.addOtpSms(caller, userId, undefined, options);
    return factorResponse(reply, details);
  }

  @Delete('otp_sms')
  @ApiOperation({
    summary: 'Remove One-Time Password (OTP) SMS from a user',
    description:
      'Remove the configured One-Time Password (OTP) SMS factor of a user. As only one OTP SMS per user is allowed, the user will not have OTP SMS as a second factor afterward. Needs user.write, unless the user is the caller.',
  })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: DetailsResponseDto, headers: ETAG_RESPONSE_HEADER })
  @ApiFactorCommand({ removal: true })
  @ApiProtectedRoute(400, 403, 404, 409, 429)
  async removeOtpSms(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.removeOtpSms(caller, userId, undefined, options);
    return factorResponse(reply, details);
  }

  @Post('otp_email')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add One-Time Password (OTP) Email to a user',
    description:
      'Add a new One-Time Password (OTP) Email factor to the user. The user needs a verified e-mail address. Needs user.credential.write, unless the user is the caller.',
  })
  @ApiParam(USER_ID_PARAM)
  @ApiBody(EMPTY_REQUEST_BODY)
  @ApiOkResponse({ type: DetailsResponseDto, headers: ETAG_RESPONSE_HEADER })
  @ApiFactorCommand()
  @ApiProtectedRoute(400, 403, 404, 409, 429)
  async addOtpEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.addOtpEmail(caller, userId, undefined, options);
    return factorResponse(reply, details);
  }

  @Delete('otp_email')
  @ApiOperation({
    summary: 'Remove One-Time Password (OTP) Email from a user',
    description:
      'Remove the configured One-Time Password (OTP) Email factor of a user. As only one OTP Email per user is allowed, the user will not have OTP Email as a second factor afterward. Needs user.write, unless the user is the caller.',
  })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: DetailsResponseDto, headers: ETAG_RESPONSE_HEADER })
  @ApiFactorCommand({ removal: true })
  @ApiProtectedRoute(400, 403, 404, 409, 429)
  async removeOtpEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @FactorCommand() options: FactorCommandOptions,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DetailsResponseDto> {
    const details = await this.factors.removeOtpEmail(caller, userId, undefined, options);
    return factorResponse(reply, details);
  }
}

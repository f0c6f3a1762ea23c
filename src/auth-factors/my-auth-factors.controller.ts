import { Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { toListAuthFactorsResponse } from './auth-factor.mapper';
import { AuthFactorsService } from './auth-factors.service';
import { ListAuthFactorsResponseDto } from './dto/auth-factor.dto';

const EMPTY_BODY = { schema: { type: 'object', example: {} }, required: false };

/** Auth API v1: the token's own user ("me"). */
@ApiTags('Auth API v1')
@Controller('auth/v1/users/me/auth_factors')
export class MyAuthFactorsController {
  constructor(private readonly factors: AuthFactorsService) {}

  @Post('_search')
  @HttpCode(200)
  @ApiOperation({ summary: 'List my second factors', description: 'Returns the second factors (OTP SMS, OTP Email) of the authenticated user.' })
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: ListAuthFactorsResponseDto })
  @ApiProtectedRoute()
  async list(@CurrentCaller() caller: Caller): Promise<ListAuthFactorsResponseDto> {
    return toListAuthFactorsResponse(await this.factors.list(caller, caller.userId));
  }

  @Post('otp_sms')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add One-Time Password (OTP) SMS',
    description: 'Add a new One-Time Password (OTP) SMS factor to the authenticated user. OTP SMS will enable the user to verify a OTP with the latest verified phone number. The phone number has to be verified to add the second factor.',
  })
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 409)
  async addOtpSms(@CurrentCaller() caller: Caller): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.factors.addOtpSms(caller, caller.userId), 'creation') };
  }

  @Delete('otp_sms')
  @ApiOperation({
    summary: 'Remove One-Time Password (OTP) SMS',
    description: 'Remove the configured One-Time Password (OTP) SMS factor of the authenticated user. As only one OTP SMS per user is allowed, the user will not have OTP SMS as a second factor afterward.',
  })
  @ApiOkResponse({ type: DetailsResponseDto, description: 'A successful response.' })
  @ApiProtectedRoute(404)
  async removeOtpSms(@CurrentCaller() caller: Caller): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.factors.removeOtpSms(caller, caller.userId), 'creationAndChange') };
  }

  @Post('otp_email')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add One-Time Password (OTP) Email',
    description: 'Add a new One-Time Password (OTP) Email factor to the authenticated user. OTP Email will enable the user to verify a OTP with the latest verified email. The email has to be verified to add the second factor.',
  })
  @ApiBody(EMPTY_BODY)
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 409)
  async addOtpEmail(@CurrentCaller() caller: Caller): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.factors.addOtpEmail(caller, caller.userId), 'creation') };
  }

  @Delete('otp_email')
  @ApiOperation({
    summary: 'Remove One-Time Password (OTP) Email',
    description: 'Remove the configured One-Time Password (OTP) Email factor of the authenticated user. As only one OTP Email per user is allowed, the user will not have OTP Email as a second factor afterward.',
  })
  @ApiOkResponse({ type: DetailsResponseDto, description: 'A successful response.' })
  @ApiProtectedRoute(404)
  async removeOtpEmail(@CurrentCaller() caller: Caller): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.factors.removeOtpEmail(caller, caller.userId), 'creationAndChange') };
  }
}

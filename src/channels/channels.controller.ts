import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { ApiProtectedRoute } from '../common/api-errors.decorator';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { ApiUserIdParam, UserIdPipe } from '../common/user-id.pipe';
import { toChannelCodeResponse, toChannelVerification, toCodeRequest } from './channel.mapper';
import { ChannelsService } from './channels.service';
import {
  ChannelCodeResponseDto,
  EmailCodeRequestDto,
  PhoneCodeRequestDto,
  SetEmailRequestDto,
  SetPhoneRequestDto,
  VerifyCodeRequestDto,
} from './dto/channel.dto';

const GUARDS =
  'Needs user.write, or being the user; a user holding an instance-wide role can be changed only by a caller holding one. ' +
  'Changing your own needs a recent sign-in where the organization asks for one, and counts against the factor rate limit.';

/** ZITADEL's v2 phone and e-mail routes: set, verify by code, resend, remove. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post('phone')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set the user phone',
    description: `Set the phone number of a user. A code is sent to it by SMS (sendCode, the default), returned (returnCode) or, by an administrator, the number marked verified (isVerified). ${GUARDS}`,
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: ChannelCodeResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async setPhone(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: SetPhoneRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.setPhone(caller, userId, body.phone, toChannelVerification(body)));
  }

  @Delete('phone')
  @ApiOperation({
    summary: 'Remove the user phone',
    description: `Remove the phone number of a user. OTP SMS, which needs the phone, is removed with it in the same transaction. ${GUARDS}`,
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async removePhone(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.channels.removePhone(caller, userId)) };
  }

  @Post('phone/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the phone',
    description: 'Verify the phone number with the code sent to it. Five wrong codes end the code. Needs user.write, or being the user.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async verifyPhone(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: VerifyCodeRequestDto,
  ): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.channels.verifyPhone(caller, userId, body.verificationCode)) };
  }

  @Post('phone/resend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resend the phone code',
    description: 'A new verification code for the phone awaiting verification; the pending one stops working.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: ChannelCodeResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async resendPhoneCode(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: PhoneCodeRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.resendPhoneCode(caller, userId, toCodeRequest(body)));
  }

  @Post('email')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set the user email',
    description: `Set the e-mail address of a user. A code is sent to it (sendCode, the default, optionally with a link), returned (returnCode) or, by an administrator, the address marked verified (isVerified). ${GUARDS}`,
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: ChannelCodeResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async setEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: SetEmailRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.setEmail(caller, userId, body.email, toChannelVerification(body)));
  }

  @Post('email/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the email',
    description: 'Verify the e-mail address with the code sent to it. Five wrong codes end the code. Needs user.write, or being the user.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: DetailsResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async verifyEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: VerifyCodeRequestDto,
  ): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.channels.verifyEmail(caller, userId, body.verificationCode)) };
  }

  @Post('email/resend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resend the email code',
    description: 'A new verification code for the e-mail address awaiting verification; the pending one stops working.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: ChannelCodeResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async resendEmailCode(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: EmailCodeRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.resendEmailCode(caller, userId, toCodeRequest(body)));
  }

  @Post('email/send')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send an email code', description: 'A verification code for the unverified e-mail address, whether or not one is pending.' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: ChannelCodeResponseDto })
  @ApiProtectedRoute(400, 403, 404, 429)
  async sendEmailCode(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: EmailCodeRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.sendEmailCode(caller, userId, toCodeRequest(body)));
  }
}

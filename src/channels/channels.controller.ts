import { Body, Controller, Delete, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { RouteDescription, UserRoute } from '../common/protected-route.decorator';
import { UserIdPipe } from '../common/user-id.pipe';
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

/** A channel command (set, verify, resend, remove): on the user in the path, guarded, rate-limited. */
const ChannelRoute = (route: Omit<RouteDescription, 'errors' | 'params'>) => UserRoute({ ...route, errors: [400, 403, 404, 429] });

/** ZITADEL's v2 phone and e-mail routes: set, verify by code, resend, remove. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post('phone')
  @ChannelRoute({
    response: ChannelCodeResponseDto,
    summary: 'Set the user phone',
    description: `Set the phone number of a user. A code is sent to it by SMS (sendCode, the default), returned (returnCode) or, by an administrator, the number marked verified (isVerified). ${GUARDS}`,
  })
  async setPhone(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: SetPhoneRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.setPhone(caller, userId, body.phone, toChannelVerification(body)));
  }

  @Delete('phone')
  @ChannelRoute({
    response: DetailsResponseDto,
    summary: 'Remove the user phone',
    description: `Remove the phone number of a user. OTP SMS, which needs the phone, is removed with it in the same transaction. ${GUARDS}`,
  })
  async removePhone(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.channels.removePhone(caller, userId)) };
  }

  @Post('phone/verify')
  @ChannelRoute({
    response: DetailsResponseDto,
    summary: 'Verify the phone',
    description: 'Verify the phone number with the code sent to it. Five wrong codes end the code. Needs user.write, or being the user.',
  })
  async verifyPhone(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: VerifyCodeRequestDto,
  ): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.channels.verifyPhone(caller, userId, body.verificationCode)) };
  }

  @Post('phone/resend')
  @ChannelRoute({
    response: ChannelCodeResponseDto,
    summary: 'Resend the phone code',
    description: 'A new verification code for the phone awaiting verification; the pending one stops working.',
  })
  async resendPhoneCode(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: PhoneCodeRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.resendPhoneCode(caller, userId, toCodeRequest(body)));
  }

  @Post('email')
  @ChannelRoute({
    response: ChannelCodeResponseDto,
    summary: 'Set the user email',
    description: `Set the e-mail address of a user. A code is sent to it (sendCode, the default, optionally with a link), returned (returnCode) or, by an administrator, the address marked verified (isVerified). ${GUARDS}`,
  })
  async setEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: SetEmailRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.setEmail(caller, userId, body.email, toChannelVerification(body)));
  }

  @Post('email/verify')
  @ChannelRoute({
    response: DetailsResponseDto,
    summary: 'Verify the email',
    description: 'Verify the e-mail address with the code sent to it. Five wrong codes end the code. Needs user.write, or being the user.',
  })
  async verifyEmail(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: VerifyCodeRequestDto,
  ): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.channels.verifyEmail(caller, userId, body.verificationCode)) };
  }

  @Post('email/resend')
  @ChannelRoute({
    response: ChannelCodeResponseDto,
    summary: 'Resend the email code',
    description: 'A new verification code for the e-mail address awaiting verification; the pending one stops working.',
  })
  async resendEmailCode(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: EmailCodeRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.resendEmailCode(caller, userId, toCodeRequest(body)));
  }

  @Post('email/send')
  @ChannelRoute({
    response: ChannelCodeResponseDto,
    summary: 'Send an email code',
    description: 'A verification code for the unverified e-mail address, whether or not one is pending.',
  })
  async sendEmailCode(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: EmailCodeRequestDto,
  ): Promise<ChannelCodeResponseDto> {
    return toChannelCodeResponse(await this.channels.sendEmailCode(caller, userId, toCodeRequest(body)));
  }
}

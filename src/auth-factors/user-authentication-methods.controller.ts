import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { UserIdPipe } from '../common/user-id.pipe';
import { selectFactors, toListAuthenticationMethodTypesResponse, toListAuthFactorsResponse } from './auth-factor.mapper';
import { AuthFactorsService } from './auth-factors.service';
import { FactorQueryRoute } from './factor-command.decorator';
import { ListAuthenticationFactorsRequestDto, ListAuthenticationMethodTypesResponseDto, ListAuthFactorsResponseDto } from './dto/auth-factor.dto';

/** User service v2: what a user has configured to authenticate with, for administrators and apps. */
@ApiTags('User Service v2')
@Controller('v2/users/:userId')
export class UserAuthenticationMethodsController {
  constructor(private readonly factors: AuthFactorsService) {}

  @Get('authentication_methods')
  @FactorQueryRoute({
    target: 'user',
    response: ListAuthenticationMethodTypesResponseDto,
    summary: 'List all possible authentication methods of a user',
    description:
      "The authentication methods the user has configured: here AUTHENTICATION_METHOD_TYPE_OTP_SMS and AUTHENTICATION_METHOD_TYPE_OTP_EMAIL. Needs user.read, unless the user is the caller. ZITADEL's domainQuery concerns passkeys and U2F, which this service does not have; it is accepted and changes nothing.",
  })
  @ApiQuery({ name: 'domainQuery.includeWithoutDomain', required: false, type: Boolean })
  @ApiQuery({ name: 'domainQuery.domain', required: false, type: String })
  async listMethodTypes(@CurrentCaller() caller: Caller, @Param('userId', UserIdPipe) userId: string): Promise<ListAuthenticationMethodTypesResponseDto> {
    const { factors, details } = await this.factors.listOfUser(caller, userId);
    return toListAuthenticationMethodTypesResponse(factors, details);
  }

  @Post('authentication_factors/_search')
  @FactorQueryRoute({
    target: 'user',
    response: ListAuthFactorsResponseDto,
    summary: 'List the second factors of a user',
    description:
      'The second factors (OTP SMS, OTP Email) of the user, optionally only those of some types (authFactors) or states (states; none given: the ready ones). Needs user.read, unless the user is the caller.',
  })
  async listFactors(
    @CurrentCaller() caller: Caller,
    @Param('userId', UserIdPipe) userId: string,
    @Body() body: ListAuthenticationFactorsRequestDto = {},
  ): Promise<ListAuthFactorsResponseDto> {
    const { factors } = await this.factors.listOfUser(caller, userId);
    return toListAuthFactorsResponse(selectFactors(factors, body?.authFactors, body?.states));
  }
}

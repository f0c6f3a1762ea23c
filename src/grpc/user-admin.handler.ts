import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError } from '@app/errors';
import { AUTH_FACTOR_FILTERS, AUTH_FACTOR_STATES } from '../auth-factors/dto/auth-factor.dto';
import { selectFactors } from '../auth-factors/auth-factor.mapper';
import type { AuthFactorRecord } from '../auth-factors/auth-factor.record';
import { AuthFactorsService } from '../auth-factors/auth-factors.service';
import { UserIdPipe } from '../common/user-id.pipe';
import { UserLifecycleService } from '../users/user-lifecycle.service';
import { callerOf } from './connect-context';
import { toProtoDetails } from './details.mapper';
import type { UserServiceImpl } from './user-service.handler';
import { ZITADEL_PROTO } from './zitadel-proto';
import type { ZitadelProto } from './zitadel-proto';

const userIds = new UserIdPipe();

/**
 * zitadel.user.v2.UserService's administration RPCs: a user's authentication methods and factors, and the
 * user lifecycle; over the same services as their REST routes. Kept apart from UserServiceHandler, whose
 * methods provision users and their channels.
 */
@Injectable()
export class UserAdminHandler {
  constructor(
    private readonly factors: AuthFactorsService,
    private readonly lifecycle: UserLifecycleService,
    @Inject(ZITADEL_PROTO) private readonly proto: ZitadelProto,
  ) {}

  /** The implemented methods; merged into the UserService next to UserServiceHandler's. */
  implementation(): UserServiceImpl {
    return {
      listAuthenticationMethodTypes: async (request, context) => {
        // domainQuery concerns passkeys and U2F, which this service does not have: it selects nothing away.
        const { factors, details } = await this.factors.listOfUser(callerOf(context), userIds.transform(request.userId));
        return {
          details: { totalResult: BigInt(factors.length), processedSequence: BigInt(details.sequence), timestamp: timestampFromDate(details.date) },
          authMethodTypes: factors.map((factor) =>
            factor.type === 'otp_sms' ? this.proto.AuthenticationMethodType.OTP_SMS : this.proto.AuthenticationMethodType.OTP_EMAIL,
          ),
        };
      },
      listAuthenticationFactors: async (request, context) => {
        const types = request.authFactors.map((value) => enumName(AUTH_FACTOR_FILTERS, this.proto.AuthFactors[value], 'authFactors'));
        const states = request.states.map((value) => enumName(AUTH_FACTOR_STATES, `AUTH_FACTOR_STATE_${this.proto.AuthFactorStateV2[value]}`, 'states'));
        const { factors } = await this.factors.listOfUser(callerOf(context), userIds.transform(request.userId));
        return { result: selectFactors(factors, types, states).map((factor) => this.toAuthFactor(factor)) };
      },
      deleteUser: async (request, context) => ({
        details: toProtoDetails(await this.lifecycle.delete(callerOf(context), userIds.transform(request.userId))),
      }),
      deactivateUser: async (request, context) => ({
        details: toProtoDetails(await this.lifecycle.deactivate(callerOf(context), userIds.transform(request.userId))),
      }),
      reactivateUser: async (request, context) => ({
        details: toProtoDetails(await this.lifecycle.reactivate(callerOf(context), userIds.transform(request.userId))),
      }),
      lockUser: async (request, context) => ({
        details: toProtoDetails(await this.lifecycle.lock(callerOf(context), userIds.transform(request.userId))),
      }),
      unlockUser: async (request, context) => ({
        details: toProtoDetails(await this.lifecycle.unlock(callerOf(context), userIds.transform(request.userId))),
      }),
    };
  }

  private toAuthFactor(factor: AuthFactorRecord) {
    const state = { ready: this.proto.AuthFactorStateV2.READY }[factor.state];
    return factor.type === 'otp_sms' ? { state, type: { case: 'otpSms' as const, value: {} } } : { state, type: { case: 'otpEmail' as const, value: {} } };
  }
}

/** The JSON name of a protobuf enum value, refused (as REST refuses it) when it is not one of `names`. */
function enumName<T extends string>(names: readonly T[], name: string | undefined, field: string): T {
  if (name === undefined || !(names as readonly string[]).includes(name)) throw new InvalidArgumentError('AUTHF-REQ-400', `${field} holds an unknown value`);
  return name as T;
}

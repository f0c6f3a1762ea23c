import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { Inject, Injectable } from '@nestjs/common';
import type { AuthFactorSchema } from '@zitadel/proto/zitadel/user_pb';
import type { AuthFactorRecord } from '../auth-factors/auth-factor.record';
import { AuthFactorsService } from '../auth-factors/auth-factors.service';
import { callerOf, factorCommandOptionsOf, setEtag } from './connect-context';
import { toProtoDetails } from './details.mapper';
import { ZITADEL_PROTO } from './zitadel-proto';
import type { ZitadelProto } from './zitadel-proto';

export type AuthServiceImpl = Partial<ServiceImpl<ZitadelProto['AuthService']>>;

/** zitadel.auth.v1.AuthService on the token's own user ("me"), over the same service as the REST routes. */
@Injectable()
export class AuthServiceHandler {
  constructor(
    private readonly factors: AuthFactorsService,
    @Inject(ZITADEL_PROTO) private readonly proto: ZitadelProto,
  ) {}

  /** The implemented methods; Connect answers UNIMPLEMENTED for the others. */
  implementation(): AuthServiceImpl {
    return {
      listMyAuthFactors: async (_, context) => {
        const caller = callerOf(context);
        const { factors, sequence } = await this.factors.listWithSequence(caller, caller.userId);
        setEtag(context, sequence);
        return { result: factors.map((factor) => this.toAuthFactor(factor)) };
      },
      addMyAuthFactorOTPSMS: async (_, context) => {
        const caller = callerOf(context);
        const details = await this.factors.addOtpSms(caller, caller.userId, factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details, 'creation') };
      },
      removeMyAuthFactorOTPSMS: async (_, context) => {
        const caller = callerOf(context);
        const details = await this.factors.removeOtpSms(caller, caller.userId, factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details, 'creationAndChange') };
      },
      addMyAuthFactorOTPEmail: async (_, context) => {
        const caller = callerOf(context);
        const details = await this.factors.addOtpEmail(caller, caller.userId, factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details, 'creation') };
      },
      removeMyAuthFactorOTPEmail: async (_, context) => {
        const caller = callerOf(context);
        const details = await this.factors.removeOtpEmail(caller, caller.userId, factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details, 'creationAndChange') };
      },
    };
  }

  private toAuthFactor(factor: AuthFactorRecord): MessageInitShape<typeof AuthFactorSchema> {
    const state = { ready: this.proto.AuthFactorState.READY }[factor.state];
    return factor.type === 'otp_sms' ? { state, type: { case: 'otpSms', value: {} } } : { state, type: { case: 'otpEmail', value: {} } };
  }
}

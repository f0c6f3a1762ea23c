import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError } from '@app/errors';
import type { AddHumanUserRequest, GetUserByIDResponseSchema } from '@zitadel/proto/zitadel/user/v2/user_service_pb';
import { AuthFactorsService } from '../auth-factors/auth-factors.service';
import { UserIdPipe } from '../common/user-id.pipe';
import { validateAs } from '../common/validation';
import { toChannelVerification } from '../channels/channel.mapper';
import { ChannelsService } from '../channels/channels.service';
import type { ChannelResult, ChannelVerification, CodeRequest } from '../channels/channels.service';
import { SetEmailRequestDto, SetPhoneRequestDto, VerifyCodeRequestDto } from '../channels/dto/channel.dto';
import { AddHumanUserDto } from '../users/dto/add-human-user.dto';
import { detailsOf, toNewHumanUser } from '../users/user.mapper';
import { UserRecord } from '../users/user.record';
import { UsersService } from '../users/users.service';
import { callerOf, factorCommandOptionsOf, setEtag } from './connect-context';
import { toProtoDetails } from './details.mapper';
import { ZITADEL_PROTO } from './zitadel-proto';
import type { ZitadelProto } from './zitadel-proto';

export type UserServiceImpl = Partial<ServiceImpl<ZitadelProto['UserService']>>;

/** How a v2 request asks to verify a phone or e-mail address (ZITADEL's `verification` oneof). */
type Verification =
  | { case: 'isVerified'; value: boolean }
  | { case: 'sendCode'; value: object & { urlTemplate?: string } }
  | { case: 'returnCode'; value: unknown }
  | { case: undefined; value?: undefined };

const userIds = new UserIdPipe();

/**
 * zitadel.user.v2.UserService over the same services as the REST routes. Requests
 * are validated with the REST DTOs; fields this service cannot honour are refused
 * (as REST refuses unknown properties), never silently dropped.
 */
@Injectable()
export class UserServiceHandler {
  constructor(
    private readonly users: UsersService,
    private readonly channels: ChannelsService,
    private readonly factors: AuthFactorsService,
    @Inject(ZITADEL_PROTO) private readonly proto: ZitadelProto,
  ) {}

  /** The implemented methods; Connect answers UNIMPLEMENTED for the others. */
  implementation(): UserServiceImpl {
    return {
      addOTPSMS: async (request, context) => {
        const details = await this.factors.addOtpSms(callerOf(context), userIds.transform(request.userId), factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details) };
      },
      removeOTPSMS: async (request, context) => {
        const details = await this.factors.removeOtpSms(callerOf(context), userIds.transform(request.userId), factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details) };
      },
      addOTPEmail: async (request, context) => {
        const details = await this.factors.addOtpEmail(callerOf(context), userIds.transform(request.userId), factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details) };
      },
      removeOTPEmail: async (request, context) => {
        const details = await this.factors.removeOtpEmail(callerOf(context), userIds.transform(request.userId), factorCommandOptionsOf(context));
        setEtag(context, details.sequence);
        return { details: toProtoDetails(details) };
      },
      addHumanUser: async (request, context) => {
        const body = await validateAs(AddHumanUserDto, toAddHumanUserBody(request));
        const { userId, details } = await this.users.addHuman(callerOf(context), toNewHumanUser(body));
        return { userId, details: toProtoDetails(details) };
      },
      getUserByID: async (request, context) => this.toGetUserResponse(await this.users.getById(callerOf(context), userIds.transform(request.userId))),
      setPhone: async (request, context) => {
        const userId = userIds.transform(request.userId);
        const body = await validateAs(SetPhoneRequestDto, { phone: request.phone });
        const result = await this.channels.setPhone(callerOf(context), userId, body.phone, verificationOf(request.verification));
        return toProtoCodeResponse(result);
      },
      removePhone: async (request, context) => ({
        details: toProtoDetails(await this.channels.removePhone(callerOf(context), userIds.transform(request.userId))),
      }),
      verifyPhone: async (request, context) => {
        const userId = userIds.transform(request.userId);
        const body = await validateAs(VerifyCodeRequestDto, { verificationCode: request.verificationCode });
        return { details: toProtoDetails(await this.channels.verifyPhone(callerOf(context), userId, body.verificationCode)) };
      },
      resendPhoneCode: async (request, context) =>
        toProtoCodeResponse(await this.channels.resendPhoneCode(callerOf(context), userIds.transform(request.userId), codeRequestOf(request.verification))),
      setEmail: async (request, context) => {
        const userId = userIds.transform(request.userId);
        const body = await validateAs(SetEmailRequestDto, { email: request.email });
        const result = await this.channels.setEmail(callerOf(context), userId, body.email, verificationOf(request.verification));
        return toProtoCodeResponse(result);
      },
      verifyEmail: async (request, context) => {
        const userId = userIds.transform(request.userId);
        const body = await validateAs(VerifyCodeRequestDto, { verificationCode: request.verificationCode });
        return { details: toProtoDetails(await this.channels.verifyEmail(callerOf(context), userId, body.verificationCode)) };
      },
      resendEmailCode: async (request, context) =>
        toProtoCodeResponse(await this.channels.resendEmailCode(callerOf(context), userIds.transform(request.userId), codeRequestOf(request.verification))),
      sendEmailCode: async (request, context) =>
        toProtoCodeResponse(await this.channels.sendEmailCode(callerOf(context), userIds.transform(request.userId), codeRequestOf(request.verification))),
    };
  }

  private toGetUserResponse(user: UserRecord): MessageInitShape<typeof GetUserByIDResponseSchema> {
    const details = toProtoDetails(detailsOf(user));
    const state = { active: this.proto.UserState.ACTIVE, inactive: this.proto.UserState.INACTIVE, locked: this.proto.UserState.LOCKED }[user.state];
    return {
      details,
      user: {
        userId: user.id,
        username: user.username,
        state,
        details,
        type: {
          case: 'human',
          value: {
            profile: { givenName: user.givenName, familyName: user.familyName },
            ...(user.email !== null ? { email: { email: user.email, isVerified: user.emailVerified } } : {}),
            ...(user.phone !== null ? { phone: { phone: user.phone, isVerified: user.phoneVerified } } : {}),
          },
        },
      },
    };
  }
}

/** The REST body an `AddHumanUser` request corresponds to, for the same validation. */
function toAddHumanUserBody(request: AddHumanUserRequest): object {
  const unsupported: [string, boolean][] = [
    ['organization.orgDomain', request.organization?.org.case === 'orgDomain'],
    ['profile.nickName', request.profile?.nickName !== undefined],
    ['profile.displayName', request.profile?.displayName !== undefined],
    ['profile.preferredLanguage', request.profile?.preferredLanguage !== undefined],
    ['profile.gender', request.profile?.gender !== undefined],
    ['metadata', request.metadata.length > 0],
    ['password', request.passwordType.case !== undefined],
    ['idpLinks', request.idpLinks.length > 0],
    ['totpSecret', request.totpSecret !== undefined],
  ];
  for (const [field, present] of unsupported) if (present) throw unsupportedField(field);
  const { organization, profile, email, phone } = request;
  return {
    userId: request.userId,
    username: request.username,
    organization: organization?.org.case === 'orgId' ? { orgId: organization.org.value } : undefined,
    profile: profile && { givenName: profile.givenName, familyName: profile.familyName },
    email: email && { email: email.email, isVerified: isVerified('email.verification', email.verification) },
    phone: phone && { phone: phone.phone, isVerified: isVerified('phone.verification', phone.verification) },
  };
}

/** The verification a SetPhone/SetEmail asks for, as the REST body would say it. */
function verificationOf(verification: Verification): ChannelVerification {
  if (verification.case === 'sendCode') return toChannelVerification({ sendCode: { urlTemplate: verification.value.urlTemplate } });
  if (verification.case === 'returnCode') return toChannelVerification({ returnCode: {} });
  if (verification.case === 'isVerified') return toChannelVerification({ isVerified: verification.value });
  return toChannelVerification({});
}

/** The code request of a resend or send. */
function codeRequestOf(verification: Exclude<Verification, { case: 'isVerified' }>): CodeRequest {
  return verificationOf(verification) as CodeRequest;
}

function toProtoCodeResponse(result: ChannelResult): { details: ReturnType<typeof toProtoDetails>; verificationCode?: string } {
  return { details: toProtoDetails(result.details), ...(result.verificationCode !== undefined ? { verificationCode: result.verificationCode } : {}) };
}

/** `isVerified` of a verification choice at creation; a code at creation is not something this service sends. */
function isVerified(field: string, verification: Verification): boolean | undefined {
  if (verification.case === undefined) return undefined;
  if (verification.case === 'isVerified') return verification.value;
  throw unsupportedField(`${field}.${verification.case}`);
}

function unsupportedField(field: string): InvalidArgumentError {
  return new InvalidArgumentError('AUTHF-RPC-UNSUPPORTED', `${field} is not supported by this service`);
}

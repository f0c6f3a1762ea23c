import { ObjectDetails } from '../common/object-details.mapper';
import { AuthFactorType } from './auth-factor.kind';
import type { AuthFactorRecord } from './auth-factor.record';
import {
  AuthFactorDto,
  AuthFactorFilter,
  AuthFactorStateName,
  ListAuthenticationMethodTypesResponseDto,
  ListAuthFactorsResponseDto,
  ListDetailsDto,
} from './dto/auth-factor.dto';

const STATE = { ready: 'AUTH_FACTOR_STATE_READY' } as const;

/** The v2 `AuthenticationMethodType` of each factor type. */
export const AUTHENTICATION_METHOD_TYPE: Readonly<Record<AuthFactorType, 'AUTHENTICATION_METHOD_TYPE_OTP_SMS' | 'AUTHENTICATION_METHOD_TYPE_OTP_EMAIL'>> = {
  otp_sms: 'AUTHENTICATION_METHOD_TYPE_OTP_SMS',
  otp_email: 'AUTHENTICATION_METHOD_TYPE_OTP_EMAIL',
};

/** Which factor type each v2 `AuthFactors` filter value names (OTP is TOTP, which this service does not have, nor U2F). */
const FILTER_TYPE: Readonly<Record<AuthFactorFilter, AuthFactorType | undefined>> = {
  OTP: undefined,
  OTP_SMS: 'otp_sms',
  OTP_EMAIL: 'otp_email',
  U2F: undefined,
};

/** Builds the v1 `ListMyAuthFactors` response (and v2 `ListAuthenticationFactors`, which has the same shape). */
export function toListAuthFactorsResponse(factors: readonly AuthFactorRecord[]): ListAuthFactorsResponseDto {
  return {
    result: factors.map((factor): AuthFactorDto => {
      const dto: AuthFactorDto = { state: STATE[factor.state] };
      if (factor.type === 'otp_sms') dto.otpSms = {};
      else dto.otpEmail = {};
      return dto;
    }),
  };
}

/**
 * The factors a v2 `ListAuthenticationFactors` request selects: of the named types (none named: all), in the
 * named states (none named: the ready ones, as ZITADEL answers).
 */
export function selectFactors(
  factors: readonly AuthFactorRecord[],
  types: readonly AuthFactorFilter[] = [],
  states: readonly AuthFactorStateName[] = [],
): AuthFactorRecord[] {
  const wantedTypes = new Set(types.map((type) => FILTER_TYPE[type]));
  const wantedStates = new Set<string>(states.length > 0 ? states : [STATE.ready]);
  return factors.filter((factor) => (types.length === 0 || wantedTypes.has(factor.type)) && wantedStates.has(STATE[factor.state]));
}

/** `details` of a list: how many results, and where the user's stream stood. */
export function toListDetailsDto(totalResult: number, details: ObjectDetails): ListDetailsDto {
  return { totalResult: String(totalResult), processedSequence: String(details.sequence), timestamp: details.date.toISOString() };
}

/** Builds the v2 `ListAuthenticationMethodTypes` response. */
export function toListAuthenticationMethodTypesResponse(
  factors: readonly AuthFactorRecord[],
  details: ObjectDetails,
): ListAuthenticationMethodTypesResponseDto {
  return { details: toListDetailsDto(factors.length, details), authMethodTypes: factors.map((factor) => AUTHENTICATION_METHOD_TYPE[factor.type]) };
}

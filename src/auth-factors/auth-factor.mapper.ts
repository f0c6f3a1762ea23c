import { AuthFactorRecord } from './auth-factors.repository';
import { AuthFactorDto, ListAuthFactorsResponseDto } from './dto/auth-factor.dto';

const STATE = { ready: 'AUTH_FACTOR_STATE_READY' } as const;

/** Builds the v1 `ListMyAuthFactors` response. */
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

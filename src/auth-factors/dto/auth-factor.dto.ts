import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional } from 'class-validator';

export class EmptyObjectDto {}

export class AuthFactorDto {
  @ApiProperty({ enum: ['AUTH_FACTOR_STATE_READY'], example: 'AUTH_FACTOR_STATE_READY' })
  state: string;

  @ApiPropertyOptional({ type: EmptyObjectDto, description: 'set when the factor is OTP SMS', example: {} })
  otpSms?: EmptyObjectDto;

  @ApiPropertyOptional({ type: EmptyObjectDto, description: 'set when the factor is OTP Email', example: {} })
  otpEmail?: EmptyObjectDto;
}

export class ListAuthFactorsResponseDto {
  @ApiProperty({ type: [AuthFactorDto], example: [{ state: 'AUTH_FACTOR_STATE_READY', otpSms: {} }] })
  result: AuthFactorDto[];
}

/** ZITADEL's `AuthFactors` filter values; OTP (TOTP) and U2F are never configured here, so they match nothing. */
export const AUTH_FACTOR_FILTERS = ['OTP', 'OTP_SMS', 'OTP_EMAIL', 'U2F'] as const;
export type AuthFactorFilter = (typeof AUTH_FACTOR_FILTERS)[number];

/** ZITADEL's `AuthFactorState` values a filter may name. */
export const AUTH_FACTOR_STATES = [
  'AUTH_FACTOR_STATE_UNSPECIFIED',
  'AUTH_FACTOR_STATE_NOT_READY',
  'AUTH_FACTOR_STATE_READY',
  'AUTH_FACTOR_STATE_REMOVED',
] as const;
export type AuthFactorStateName = (typeof AUTH_FACTOR_STATES)[number];

/** v2 `ListAuthenticationFactors`: optional filters by type and by state. */
export class ListAuthenticationFactorsRequestDto {
  @ApiPropertyOptional({ enum: AUTH_FACTOR_FILTERS, isArray: true, description: 'only factors of these types (none: all)', example: ['OTP_SMS'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(AUTH_FACTOR_FILTERS.length * 4)
  @IsIn(AUTH_FACTOR_FILTERS, { each: true })
  authFactors?: AuthFactorFilter[];

  @ApiPropertyOptional({
    enum: AUTH_FACTOR_STATES,
    isArray: true,
    description: 'only factors in these states (none: AUTH_FACTOR_STATE_READY, as in ZITADEL)',
    example: ['AUTH_FACTOR_STATE_READY'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(AUTH_FACTOR_STATES.length * 4)
  @IsIn(AUTH_FACTOR_STATES, { each: true })
  states?: AuthFactorStateName[];
}

/** `details` of a list (zitadel.object.v2.ListDetails). */
export class ListDetailsDto {
  @ApiProperty({ description: 'the number of results', example: '2', type: String, format: 'uint64' })
  totalResult: string;

  @ApiProperty({ description: "the sequence of the user's last event the list reflects", example: '7', type: String, format: 'uint64' })
  processedSequence: string;

  @ApiProperty({ description: "the time of the user's last event the list reflects", example: '2024-06-13T06:44:35.847Z', format: 'date-time' })
  timestamp: string;
}

export const AUTHENTICATION_METHOD_TYPES = ['AUTHENTICATION_METHOD_TYPE_OTP_SMS', 'AUTHENTICATION_METHOD_TYPE_OTP_EMAIL'] as const;

/** v2 `ListAuthenticationMethodTypes`. */
export class ListAuthenticationMethodTypesResponseDto {
  @ApiProperty({ type: ListDetailsDto })
  details: ListDetailsDto;

  @ApiProperty({
    enum: AUTHENTICATION_METHOD_TYPES,
    isArray: true,
    description: 'the methods the user has configured (this service has OTP SMS and OTP Email; no password, passkey, IdP, TOTP or U2F)',
    example: ['AUTHENTICATION_METHOD_TYPE_OTP_SMS', 'AUTHENTICATION_METHOD_TYPE_OTP_EMAIL'],
  })
  authMethodTypes: string[];
}

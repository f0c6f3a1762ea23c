import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { ObjectDetailsDto } from '../../common/dto/object-details.dto';

const MAX_AUTH_AGE_DESCRIPTION =
  'A google.protobuf.Duration in JSON form (whole seconds, e.g. "300s", 1s to 30 days). When set, a user changing their own second factors needs a token whose OIDC auth_time is at most this old (step-up); unset: no step-up.';

export class FactorPolicyDto {
  @ApiProperty({ description: "Refuse removing a user's last second factor (an administrator may override with force=true and a reason)", example: true })
  forceMfa: boolean;

  @ApiPropertyOptional({ description: MAX_AUTH_AGE_DESCRIPTION, example: '300s' })
  factorChangeMaxAuthAge?: string;

  @ApiProperty({ description: 'true while the organization has not set its own policy and the configured defaults apply', example: false })
  isDefault: boolean;
}

export class GetFactorPolicyResponseDto {
  @ApiProperty({ type: FactorPolicyDto })
  policy: FactorPolicyDto;
}

export class SetFactorPolicyResponseDto extends GetFactorPolicyResponseDto {
  @ApiProperty({ type: ObjectDetailsDto, description: "where the organization's event stream stands after the change" })
  details: ObjectDetailsDto;
}

/** The whole policy: a field left out is reset (forceMfa must be given). */
export class SetFactorPolicyDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  forceMfa: boolean;

  @ApiPropertyOptional({ description: MAX_AUTH_AGE_DESCRIPTION, example: '300s' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,6}s$/, { message: 'factorChangeMaxAuthAge must be a duration in whole seconds such as "300s"' })
  factorChangeMaxAuthAge?: string;
}

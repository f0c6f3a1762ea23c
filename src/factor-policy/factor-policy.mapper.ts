import { FactorPolicyDto } from './dto/factor-policy.dto';
import { FactorPolicy, toDurationJson } from './factor-policy';

/** Builds the wire policy, field by field; an unset maximum age is omitted. */
export function toFactorPolicyDto(policy: FactorPolicy): FactorPolicyDto {
  const dto: FactorPolicyDto = { forceMfa: policy.forceMfa, isDefault: policy.isDefault };
  if (policy.factorChangeMaxAuthAgeSeconds !== undefined) dto.factorChangeMaxAuthAge = toDurationJson(policy.factorChangeMaxAuthAgeSeconds);
  return dto;
}

import { InvalidArgumentError } from '@app/errors';
import { toDetailsDto } from '../common/object-details.mapper';
import type { ChannelCodeResponseDto } from './dto/channel.dto';
import type { ChannelResult, ChannelVerification, CodeRequest } from './channels.service';

/** The choice of ZITADEL's `verification` oneof as sent (REST: at most one of the three fields; none: `sendCode`). */
export interface VerificationFields {
  readonly sendCode?: { readonly urlTemplate?: string };
  readonly returnCode?: object;
  readonly isVerified?: boolean;
}

/** The verification a request asks for; more than one choice is refused. */
export function toChannelVerification(fields: VerificationFields): ChannelVerification {
  const chosen = [fields.sendCode !== undefined, fields.returnCode !== undefined, fields.isVerified !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new InvalidArgumentError('AUTHF-VERIFICATION-400', 'Choose at most one of sendCode, returnCode and isVerified');
  if (fields.returnCode !== undefined) return { kind: 'returnCode' };
  if (fields.isVerified !== undefined) return { kind: 'isVerified', value: fields.isVerified };
  return { kind: 'sendCode', urlTemplate: fields.sendCode?.urlTemplate };
}

/** The code request of a resend or send (no `isVerified` there). */
export function toCodeRequest(fields: Omit<VerificationFields, 'isVerified'>): CodeRequest {
  return toChannelVerification(fields) as CodeRequest;
}

/** The response of a command that may return a code, field by field. */
export function toChannelCodeResponse(result: ChannelResult): ChannelCodeResponseDto {
  const dto: ChannelCodeResponseDto = { details: toDetailsDto(result.details) };
  if (result.verificationCode !== undefined) dto.verificationCode = result.verificationCode;
  return dto;
}

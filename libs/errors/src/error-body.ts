import { ApiProperty } from '@nestjs/swagger';
import { DomainError } from './domain.error';

export const ERROR_DETAIL_TYPE = 'type.googleapis.com/zitadel.v1.ErrorDetail';

export class ErrorDetailDto {
  @ApiProperty({ example: ERROR_DETAIL_TYPE })
  '@type': string;

  @ApiProperty({ description: 'Stable id of the place that raised the error', example: 'AUTHF-SMS-404' })
  id: string;

  @ApiProperty({ example: 'OTP SMS is not configured for this user' })
  message: string;
}

/** The one error body of every route (grpc-gateway's `rpc.Status` with a ZITADEL ErrorDetail). */
export class ErrorResponseDto {
  @ApiProperty({ description: 'gRPC status code', example: 5 })
  code: number;

  @ApiProperty({ example: 'OTP SMS is not configured for this user (AUTHF-SMS-404)' })
  message: string;

  @ApiProperty({
    type: [ErrorDetailDto],
    description:
      'The ErrorDetail first; some errors add further details after it, e.g. a `type.googleapis.com/google.rpc.ErrorInfo` `{reason, domain, metadata}`',
  })
  details: (ErrorDetailDto | Record<string, unknown>)[];
}

/** Builds the wire body of an error. */
export function toErrorBody(error: DomainError): ErrorResponseDto {
  return {
    code: error.code,
    message: `${error.message} (${error.id})`,
    details: [
      { '@type': ERROR_DETAIL_TYPE, id: error.id, message: error.message },
      ...error.extraDetails.map((detail) => ({ '@type': `type.googleapis.com/${detail.typeName}`, ...detail.json })),
    ],
  };
}

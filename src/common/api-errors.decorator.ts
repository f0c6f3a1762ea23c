import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiDefaultResponse, ApiResponse } from '@nestjs/swagger';
import {
  AbortedError,
  AlreadyExistsError,
  DomainError,
  ErrorResponseDto,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  toErrorBody,
  UnauthenticatedError,
} from '@app/errors';

interface DocumentedStatus {
  readonly description: string;
  /** Errors the service really raises with this status, by example name; their bodies are built as on the wire. */
  readonly examples: Record<string, DomainError>;
}

const STATUSES: Record<number | 'default', DocumentedStatus> = {
  400: {
    description: 'Invalid argument (code 3) or failed precondition (code 9).',
    examples: {
      'invalid argument': new InvalidArgumentError('AUTHF-USER-400', 'userId must be 1 to 200 characters long'),
      'failed precondition': new FailedPreconditionError('AUTHF-SMS-PRECONDITION', 'OTP SMS needs a verified phone'),
    },
  },
  401: {
    description: 'Missing, expired or invalid bearer token (code 16).',
    examples: {
      'no token': new UnauthenticatedError('AUTHF-AUTH-001', 'A bearer token is required (Authorization: Bearer <token>)'),
      expired: new UnauthenticatedError('AUTHF-AUTH-002', 'The token has expired'),
    },
  },
  403: {
    description:
      'The caller lacks the permission (code 7); on factor changes also when a recent sign-in is required (AUTHF-STEPUP-403, with a google.rpc.ErrorInfo reason STEP_UP_REQUIRED).',
    examples: { 'permission denied': new PermissionDeniedError('AUTHF-PERM-403', 'Permission user.write is required for this user') },
  },
  404: {
    description: 'The resource does not exist, or the caller may not see it (code 5).',
    examples: { 'not found': new NotFoundError('AUTHF-USER-404', 'User not found') },
  },
  409: {
    description:
      'The object already exists, or the Idempotency-Key was used for another request (code 6); or the If-Match precondition no longer holds (code 10, ABORTED).',
    examples: {
      'already exists': new AlreadyExistsError('AUTHF-SMS-409', 'OTP SMS is already configured for this user'),
      'If-Match no longer holds': new AbortedError('AUTHF-IFMATCH-409', 'The user has changed since (sequence 9, If-Match "8"); read it again'),
    },
  },
  429: {
    description: 'Too many second-factor changes by the caller (code 8); the Retry-After header says when to try again.',
    examples: {
      'rate limited': new ResourceExhaustedError('AUTHF-RATE-429', 'Too many second-factor changes: at most 60 per 60 s; try again later', 42),
    },
  },
  default: {
    description: 'An unexpected error (code 13); the message names the request id, which the log has too.',
    examples: { internal: new InternalError('AUTHF-SVC-500', 'Internal error (request 0b6f3c52-8a4e-4f0e-9a57-3f5f2d8b6c11)') },
  },
};

/** The `examples` of a documented status, as Swagger UI lists them. */
function examplesOf(status: DocumentedStatus) {
  return Object.fromEntries(Object.entries(status.examples).map(([summary, error]) => [summary, { summary, value: toErrorBody(error) }]));
}

/** Documents a protected route: bearer security, and each error status with the one error body and an example of its own. */
export function ApiProtectedRoute(...statuses: number[]) {
  return applyDecorators(
    ApiBearerAuth(),
    ...[401, ...statuses].map((status) =>
      ApiResponse({ status, description: STATUSES[status].description, type: ErrorResponseDto, examples: examplesOf(STATUSES[status]) }),
    ),
    ApiDefaultResponse({ description: STATUSES.default.description, type: ErrorResponseDto, examples: examplesOf(STATUSES.default) }),
  );
}

import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiDefaultResponse, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '@app/errors';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid argument (code 3) or failed precondition (code 9).',
  401: 'Missing, expired or invalid bearer token (code 16).',
  403: 'Returned when the user does not have permission to access the resource (code 7); on factor changes also when a recent sign-in is required (AUTHF-STEPUP-403, with a google.rpc.ErrorInfo reason STEP_UP_REQUIRED).',
  404: 'Returned when the resource does not exist.',
  409: 'The object already exists, or the Idempotency-Key was used for another request (code 6); or the If-Match precondition no longer holds (code 10, ABORTED).',
  429: 'Too many second-factor changes by the caller (code 8); the Retry-After header says when to try again.',
};

/** Documents a protected route: bearer security, and each error status with the one error body. */
export function ApiProtectedRoute(...statuses: number[]) {
  return applyDecorators(
    ApiBearerAuth(),
    ...[401, ...statuses].map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })),
    ApiDefaultResponse({ description: 'An unexpected error response.', type: ErrorResponseDto }),
  );
}

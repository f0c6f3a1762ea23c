import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiDefaultResponse, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '@app/errors';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid argument (code 3) or failed precondition (code 9).',
  401: 'Missing, expired or invalid bearer token (code 16).',
  403: 'Returned when the user does not have permission to access the resource.',
  404: 'Returned when the resource does not exist.',
  409: 'The object already exists (code 6).',
};

/** Documents a protected route: bearer security, and each error status with the one error body. */
export function ApiProtectedRoute(...statuses: number[]) {
  return applyDecorators(
    ApiBearerAuth(),
    ...[401, ...statuses].map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })),
    ApiDefaultResponse({ description: 'An unexpected error response.', type: ErrorResponseDto }),
  );
}

import { HttpException } from '@nestjs/common';
import { DomainError } from './domain.error';
import { GrpcCode } from './grpc-code';

/** What the mapper concluded: the error to send, and the cause to log when it hides one. */
export interface MappedError {
  readonly error: DomainError;
  readonly cause?: unknown;
}

// Connection-level failures of PostgreSQL or of the pool: the database cannot serve now.
const UNAVAILABLE_PG_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006', '57014']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error',
  'connection is closed',
  'Cannot use a pool after calling end',
];

const RELEASED_RUNNER_ERRORS = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError']);

function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: any = error, depth = 0; current && depth < 5; current = current.cause ?? current.driverError, depth++) {
    if (typeof current.code === 'string' && (UNAVAILABLE_PG_CODES.has(current.code) || UNAVAILABLE_NODE_CODES.has(current.code))) {
      return true;
    }
    // TypeORM releases a transaction's connection when that connection fails (its 'error' event); the
    // transaction's next statement (or its COMMIT, never sent: the server rolls back) then fails with one of
    // these. The service never uses a transaction after it ends, so they only mean a lost connection.
    if (RELEASED_RUNNER_ERRORS.has(current.name)) return true;
    const message = typeof current.message === 'string' ? current.message : '';
    if (UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true;
  }
  return false;
}

/**
 * PostgreSQL refusing a text value it cannot hold (a NUL character): the client's input, not our fault.
 * 22021 is character_not_in_repertoire, 22P05 untranslatable_character.
 */
function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return code === '22021' || code === '22P05';
}

/** Fastify's own errors, by their `code`, as our wire errors. */
function fromFastifyError(error: { code: string; statusCode?: number; message: string }): DomainError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-JSON', 'The request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-SIZE', 'The request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-TYPE', 'The request body must be application/json');
    default:
      if (error.code.startsWith('FST_ERR_CTP_') || error.statusCode === 400) {
        return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-400', 'The request could not be read');
      }
      return undefined;
  }
}

/** HTTP exceptions raised by the framework itself (routing, pipes); services never throw them. */
function fromHttpException(exception: HttpException): DomainError {
  const status = exception.getStatus();
  const response = exception.getResponse() as { message?: unknown } | string;
  const detail = typeof response === 'object' && response && Array.isArray(response.message) ? response.message.join('; ') : undefined;
  switch (status) {
    case 400:
      return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-400', detail ?? 'The request is invalid');
    case 401:
      return new DomainError(GrpcCode.UNAUTHENTICATED, 'AUTHF-AUTH-401', 'Authentication required');
    case 403:
      return new DomainError(GrpcCode.PERMISSION_DENIED, 'AUTHF-AUTH-403', 'Permission denied');
    case 404:
      return new DomainError(GrpcCode.NOT_FOUND, 'AUTHF-ROUTE-404', 'No such route');
    case 405:
      return new DomainError(GrpcCode.UNIMPLEMENTED, 'AUTHF-ROUTE-405', 'Method not allowed on this route', 405);
    case 413:
      return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-SIZE', 'The request body is too large');
    case 415:
      return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-TYPE', 'The request body must be application/json');
    case 429:
      return new DomainError(GrpcCode.RESOURCE_EXHAUSTED, 'AUTHF-REQ-429', 'Too many requests');
    case 503:
      return new DomainError(GrpcCode.UNAVAILABLE, 'AUTHF-SVC-503', 'The service is unavailable');
    default:
      return status >= 500
        ? new DomainError(GrpcCode.INTERNAL, 'AUTHF-SVC-500', 'Internal error')
        : new DomainError(GrpcCode.INVALID_ARGUMENT, `AUTHF-REQ-${status}`, exception.message);
  }
}

/**
 * Turns anything thrown anywhere into the error the client sees. Internal causes
 * are replaced by a generic message naming the request id and returned for logging.
 */
export function mapError(exception: unknown, requestId: string): MappedError {
  if (exception instanceof DomainError) return { error: exception };
  if (exception instanceof HttpException) {
    const error = fromHttpException(exception);
    return error.code === GrpcCode.INTERNAL ? { error, cause: exception } : { error };
  }
  if (isUnstorableText(exception)) {
    return { error: new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-CHARS', 'The request contains characters that cannot be stored (NUL)') };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      error: new DomainError(GrpcCode.UNAVAILABLE, 'AUTHF-DB-503', `The database is unavailable; try again shortly (request ${requestId})`),
      cause: exception,
    };
  }
  const candidate = exception as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (candidate && typeof candidate.code === 'string' && candidate.code.startsWith('FST_')) {
    const error = fromFastifyError(candidate as { code: string; statusCode?: number; message: string });
    if (error) return { error };
  }
  return {
    error: new DomainError(GrpcCode.INTERNAL, 'AUTHF-SVC-500', `Internal error (request ${requestId})`),
    cause: exception,
  };
}

/** A hidden cause as one log line: name, driver or system code, message. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${cause.name}${typeof code === 'string' || typeof code === 'number' ? ` ${code}` : ''}: ${cause.message}`;
  }
  return String(cause);
}

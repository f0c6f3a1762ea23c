import type { ExtraErrorDetail } from './error-detail';
import { GrpcCode, httpStatusOf } from './grpc-code';

/**
 * An error the service means to report: a gRPC code, a stable id naming the
 * place that raised it (never changed once released) and a human message.
 */
export class DomainError extends Error {
  constructor(
    readonly code: GrpcCode,
    readonly id: string,
    message: string,
    /** Only where HTTP needs a finer status than the code gives (405). */
    readonly httpStatus: number = httpStatusOf(code),
    /** Details after the ErrorDetail (a `google.rpc.ErrorInfo`, say), emitted by every transport. */
    readonly extraDetails: readonly ExtraErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidArgumentError extends DomainError {
  constructor(id: string, message: string) {
    super(GrpcCode.INVALID_ARGUMENT, id, message);
  }
}

export class NotFoundError extends DomainError {
  constructor(id: string, message: string) {
    super(GrpcCode.NOT_FOUND, id, message);
  }
}

export class AlreadyExistsError extends DomainError {
  constructor(id: string, message: string, extraDetails?: readonly ExtraErrorDetail[]) {
    super(GrpcCode.ALREADY_EXISTS, id, message, undefined, extraDetails);
  }
}

export class PermissionDeniedError extends DomainError {
  constructor(id: string, message: string, extraDetails?: readonly ExtraErrorDetail[]) {
    super(GrpcCode.PERMISSION_DENIED, id, message, undefined, extraDetails);
  }
}

export class FailedPreconditionError extends DomainError {
  constructor(id: string, message: string, extraDetails?: readonly ExtraErrorDetail[]) {
    super(GrpcCode.FAILED_PRECONDITION, id, message, undefined, extraDetails);
  }
}

export class AbortedError extends DomainError {
  constructor(id: string, message: string, extraDetails?: readonly ExtraErrorDetail[]) {
    super(GrpcCode.ABORTED, id, message, undefined, extraDetails);
  }
}

/** Too many requests; `retryAfterSeconds` tells when trying again can succeed (HTTP: `Retry-After`). */
export class ResourceExhaustedError extends DomainError {
  constructor(
    id: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(GrpcCode.RESOURCE_EXHAUSTED, id, message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(id: string, message: string) {
    super(GrpcCode.UNAUTHENTICATED, id, message);
  }
}

export class UnavailableError extends DomainError {
  constructor(id: string, message: string) {
    super(GrpcCode.UNAVAILABLE, id, message);
  }
}

export class InternalError extends DomainError {
  constructor(id: string, message: string) {
    super(GrpcCode.INTERNAL, id, message);
  }
}

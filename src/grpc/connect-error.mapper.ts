import type { JsonObject } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { describeCause, GrpcCode, mapError, toErrorBody } from '@app/errors';
import { ZITADEL_PROTO } from './zitadel-proto';
import type { ZitadelProto } from './zitadel-proto';

/**
 * Turns anything thrown while serving an RPC into the ConnectError the client
 * sees: the same gRPC code, message and `zitadel.v1.ErrorDetail` as REST's error
 * body (both come from {@link mapError}); hidden causes are logged.
 */
@Injectable()
export class ConnectErrorMapper {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(ZITADEL_PROTO) private readonly proto: ZitadelProto) {}

  map(exception: unknown, procedure: string, requestId: string): ConnectError {
    // Connect's own answers (an unimplemented method, an undecodable message) are already wire errors.
    if (exception instanceof ConnectError) return exception;
    const { error, cause } = mapError(exception, requestId);
    if (cause !== undefined) {
      const level = error.code === GrpcCode.UNAVAILABLE ? 'warn' : 'error';
      this.logger[level](
        `${procedure} failed (request ${requestId}): ${describeCause(cause)}`,
        cause instanceof Error && level === 'error' ? cause.stack : undefined,
      );
    }
    // Connect's codes are gRPC's codes.
    const mapped = new ConnectError(toErrorBody(error).message, error.code as number as Code, undefined, [
      { desc: this.proto.ErrorDetailSchema, value: { id: error.id, message: error.message } },
    ]);
    // Extra details are encoded already; Connect sends such raw details as they are (as google.protobuf.Any on gRPC).
    for (const detail of error.extraDetails) mapped.details.push({ type: detail.typeName, value: detail.binary, debug: detail.json as JsonObject });
    return mapped;
  }
}

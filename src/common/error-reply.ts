import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidArgumentError, mapError, toErrorBody } from '@app/errors';

/** Either port's reply (HTTP/1.1 or h2c). */
export type AnyFastifyReply = FastifyReply<any, any, any, any, any, any, any, any>;

/** Sends an error in the contract's body (the one the global filter sends), for what Fastify answers before or without Nest. */
export function sendError(reply: AnyFastifyReply, error: DomainError): void {
  void reply.code(error.httpStatus).header('x-request-id', reply.request.id).header('content-type', 'application/json; charset=utf-8').send(toErrorBody(error));
}

/**
 * What the router refuses before any handler runs (a malformed percent-encoding, an over-long path parameter):
 * in our body, not Fastify's. Both ports use it.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest<any, any, any>, reply: AnyFastifyReply): void {
  const refused =
    error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new InvalidArgumentError('AUTHF-REQ-URL', 'The request URL is malformed or a path parameter is too long')
      : mapError(error, String(request.id)).error;
  sendError(reply, refused);
}

import type { Http2Server, Http2Session, ServerHttp2Stream } from 'node:http2';
import { STATUS_CODES } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { AppConfig } from '@app/config';
import { DomainError, GrpcCode, InvalidArgumentError, toErrorBody } from '@app/errors';

/** How long clients may take, the same on both ports: slow or stuck clients are cut off, not served for minutes. */
export interface ConnectionLimits {
  /** Headers and body of one request must arrive within this (Node's `requestTimeout`; on HTTP/2, stream inactivity). */
  readonly requestTimeoutMs: number;
  /** The headers of a request must arrive within this. */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A connection (HTTP/2: a session) with no traffic at all is closed after this. */
  readonly idleTimeoutMs: number;
  /** Streams one HTTP/2 connection may have open at once (Node's default allows 2^32 - 1). */
  readonly maxConcurrentStreams: number;
  /** On shutdown, requests in flight get this long; then every connection is closed, whatever its clients do. */
  readonly shutdownGraceMs: number;
}

export function connectionLimitsOf(config: AppConfig): ConnectionLimits {
  const requestTimeoutMs = config.http.requestTimeoutMs;
  return {
    requestTimeoutMs,
    headersTimeoutMs: Math.min(10_000, requestTimeoutMs),
    keepAliveTimeoutMs: 5_000,
    idleTimeoutMs: Math.max(requestTimeoutMs, 60_000),
    maxConcurrentStreams: 100,
    // With the outbox's last attempts (OUTBOX_DELIVERY_TIMEOUT_MS, 5 s) before it, a stop stays within 10 s.
    shutdownGraceMs: 4_000,
  };
}

/** Either port's Fastify instance (HTTP/1.1 or h2c): the helpers here use only what both have. */
export type AnyFastifyInstance = FastifyInstance<any, any, any, any, any>;

/** What Node's HTTP parser refuses before any request exists (Fastify would answer in its own body). */
function clientErrorOf(code: string | undefined): DomainError {
  if (code === 'HPE_HEADER_OVERFLOW') return new DomainError(GrpcCode.INVALID_ARGUMENT, 'AUTHF-REQ-HEADERS', 'The request headers are too large', 431);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') {
    return new DomainError(GrpcCode.DEADLINE_EXCEEDED, 'AUTHF-REQ-TIMEOUT', 'The request did not arrive in time', 408);
  }
  return new InvalidArgumentError('AUTHF-REQ-MALFORMED', 'The request is not valid HTTP');
}

export type LimitedServerOptions = Required<Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'clientErrorHandler'>> & {
  readonly http2SessionTimeout: number;
  /** Options of Node's http.createServer / http2.createServer, which Fastify passes on. */
  readonly http: object;
};

/** Fastify's server options for {@link ConnectionLimits}: timeouts, HTTP/2 settings, and our body for parser errors. */
export function serverOptions(limits: ConnectionLimits): LimitedServerOptions {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http2SessionTimeout: limits.idleTimeoutMs,
    // Passed to http.createServer / http2.createServer. Node checks request and header timeouts only this often (default 30 s).
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
      settings: { maxConcurrentStreams: limits.maxConcurrentStreams },
    },
    clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
      if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
      const refused = clientErrorOf(error.code);
      const body = JSON.stringify(toErrorBody(refused));
      socket.end(
        `HTTP/1.1 ${refused.httpStatus} ${STATUS_CODES[refused.httpStatus]}\r\n` +
          `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    },
  };
}

/**
 * Keeps connections within {@link ConnectionLimits} on a Fastify instance (either port):
 * - a request answered before its body was read (refused as too large, say) closes its connection (HTTP/2: its
 *   stream): otherwise the unread rest would keep it open for as long as the client cares to send it;
 * - on HTTP/2, a stream that stops sending is cancelled after the request timeout;
 * - on close, connections still open after the grace period are closed, so a shutdown ends in bounded time.
 */
export function limitConnections(instance: AnyFastifyInstance, limits: ConnectionLimits): void {
  // On the raw response: Connect writes its answers there, past Fastify's onSend and onResponse.
  instance.addHook('onRequest', (request, reply, done) => {
    const socket: Socket | null = request.raw.socket; // detached from the request once the response finished
    reply.raw.once('finish', () => {
      if (request.raw.complete) return;
      if (request.raw.httpVersionMajor === 1) {
        if (!socket || socket.destroyed) return;
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      } else {
        (request.raw as unknown as { stream: ServerHttp2Stream }).stream.close();
      }
    });
    done();
  });
  const server = instance.server as HttpServer | Http2Server;
  const sessions = new Set<Http2Session>();
  if (!('closeAllConnections' in server)) {
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    server.on('stream', (stream: ServerHttp2Stream) => stream.setTimeout(limits.requestTimeoutMs, () => stream.close()));
  }
  instance.addHook('preClose', (done) => {
    for (const session of sessions) session.close(); // GOAWAY: streams in flight finish, no new ones start
    const timer = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      for (const session of sessions) session.destroy();
    }, limits.shutdownGraceMs);
    timer.unref();
    instance.server.once('close', () => clearTimeout(timer));
    done();
  });
}

import { createContextValues, Interceptor } from '@connectrpc/connect';
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyPluginAsync } from 'fastify';
import { JwtStrategy, requestOrigin } from '@app/auth';
import { mapError } from '@app/errors';
import { sendError } from '../common/error-reply';
import { AuthServiceHandler } from './auth-service.handler';
import { BEARER_REQUEST, CALLER, REQUEST_ID, REQUEST_ORIGIN } from './connect-context';
import { ConnectErrorMapper } from './connect-error.mapper';
import { UserAdminHandler } from './user-admin.handler';
import { UserServiceHandler } from './user-service.handler';
import { ZITADEL_PROTO } from './zitadel-proto';
import type { ZitadelProto } from './zitadel-proto';

type ConnectPluginOptions = Parameters<typeof fastifyConnectPlugin>[1];

/** Largest request message accepted, as the JSON routes' body limit. */
const READ_MAX_BYTES = 1024 * 1024;

/**
 * ZITADEL's services for Connect, gRPC and gRPC-web: the one set of routes and
 * interceptors that every port serving RPCs registers, as a Fastify plugin.
 */
@Injectable()
export class ConnectServices {
  constructor(
    @Inject(ZITADEL_PROTO) private readonly proto: ZitadelProto,
    private readonly authService: AuthServiceHandler,
    private readonly userService: UserServiceHandler,
    private readonly userAdmin: UserAdminHandler,
    private readonly authentication: JwtStrategy,
    private readonly errors: ConnectErrorMapper,
  ) {}

  /** Registers the RPC routes on a Fastify instance, in a scope of their own. */
  readonly plugin: FastifyPluginAsync = async (scope) => {
    // Connect reads request bodies itself; the parsers of the outer scope (REST's JSON) must not claim them.
    scope.removeAllContentTypeParsers();
    // What Fastify refuses before Connect sees the request (an unsupported content type) gets our body, not Fastify's.
    scope.setErrorHandler((error, request, reply) => sendError(reply, mapError(error, String(request.id)).error));
    await scope.register(fastifyConnectPlugin, this.pluginOptions());
  };

  private pluginOptions(): ConnectPluginOptions {
    return {
      routes: (router) => {
        router.service(this.proto.AuthService, this.authService.implementation());
        router.service(this.proto.UserService, { ...this.userService.implementation(), ...this.userAdmin.implementation() });
      },
      // Outermost first: every error, the authentication's included, leaves as the contract's error.
      interceptors: [this.errorMapping, this.authenticating],
      contextValues: (request) =>
        createContextValues()
          .set(REQUEST_ID, String(request.id))
          .set(REQUEST_ORIGIN, requestOrigin(request.ip, request.headers['user-agent']))
          .set(BEARER_REQUEST, request),
      readMaxBytes: READ_MAX_BYTES,
    };
  }

  private readonly errorMapping: Interceptor = (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      throw this.errors.map(error, `${request.service.typeName}/${request.method.name}`, request.contextValues.get(REQUEST_ID));
    }
  };

  /** The bearer token of the `authorization` metadata, verified by REST's own strategy. */
  private readonly authenticating: Interceptor = (next) => async (request) => {
    const principal = await this.authentication.authenticateRequest(request.contextValues.get(BEARER_REQUEST));
    const requestId = request.contextValues.get(REQUEST_ID);
    const origin = request.contextValues.get(REQUEST_ORIGIN);
    request.contextValues.set(CALLER, { userId: principal.userId, authTime: principal.authTime, requestId, origin });
    return next(request);
  };
}

import { randomUUID } from 'node:crypto';
import type { Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import fastify, { FastifyInstance } from 'fastify';
import { APP_CONFIG, trustProxyOf } from '@app/config';
import type { AppConfig } from '@app/config';
import { ConnectServices } from './connect-services';

/**
 * gRPC needs HTTP/2; the main port speaks HTTP/1.1, and plain-text HTTP/2 (h2c)
 * cannot share a port with it cleanly. So the RPCs are also served on a port of
 * their own, over h2c (gRPC; Connect and gRPC-web work there too).
 */
@Injectable()
export class GrpcServer implements OnApplicationShutdown {
  private server?: FastifyInstance<Http2Server>;

  constructor(
    private readonly services: ConnectServices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts serving; returns the bound port (`port` 0: any free one). */
  async listen(port: number, host: string): Promise<number> {
    if (this.server) throw new Error('the gRPC server is already listening');
    const server = fastify({ http2: true, requestIdHeader: 'x-request-id', genReqId: () => randomUUID(), trustProxy: trustProxyOf(this.config) });
    server.addHook('onRequest', (request, reply, done) => {
      void reply.header('x-request-id', request.id);
      done();
    });
    await server.register(this.services.plugin);
    await server.listen({ port, host });
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}

// ZITADEL's own client package and Connect's transports, as a ZITADEL user would call the service.
// They are loaded as ESM (@zitadel/proto's CommonJS build does not load in Node), so their types too.
import type { ConnectError, Interceptor, Transport } from '@connectrpc/connect' with { 'resolution-mode': 'import' };
import type { Http2SessionManager } from '@connectrpc/connect-node' with { 'resolution-mode': 'import' };
import type { TestApp } from './test-app';

type ZitadelClientV1 = typeof import('@zitadel/client/v1', { with: { 'resolution-mode': 'import' } });
type ZitadelClientV2 = typeof import('@zitadel/client/v2', { with: { 'resolution-mode': 'import' } });
type ConnectNode = typeof import('@connectrpc/connect-node', { with: { 'resolution-mode': 'import' } });
type Connect = typeof import('@connectrpc/connect', { with: { 'resolution-mode': 'import' } });
type ErrorDetailModule = typeof import('@zitadel/proto/zitadel/message_pb', { with: { 'resolution-mode': 'import' } });

export type Protocol = 'connect' | 'grpc-web' | 'grpc';
export const PROTOCOLS: readonly Protocol[] = ['connect', 'grpc-web', 'grpc'];

export type AuthClient = ReturnType<ZitadelClientV1['createAuthServiceClient']>;
export type UserClient = ReturnType<ZitadelClientV2['createUserServiceClient']>;

/** ZITADEL's clients for one test app, over any of the three protocols; `close()` ends their HTTP/2 sessions. */
export class ZitadelClients {
  private readonly sessions: Http2SessionManager[] = [];

  private constructor(
    private readonly app: TestApp,
    private readonly v1: ZitadelClientV1,
    private readonly v2: ZitadelClientV2,
    private readonly connectNode: ConnectNode,
    /** Connect's own module: `Code`, `ConnectError`. */
    readonly connect: Connect,
    private readonly errorDetail: ErrorDetailModule,
  ) {}

  static async load(app: TestApp): Promise<ZitadelClients> {
    const [v1, v2, connectNode, connect, errorDetail] = await Promise.all([
      import('@zitadel/client/v1'),
      import('@zitadel/client/v2'),
      import('@connectrpc/connect-node'),
      import('@connectrpc/connect'),
      import('@zitadel/proto/zitadel/message_pb'),
    ]);
    return new ZitadelClients(app, v1, v2, connectNode, connect, errorDetail);
  }

  /** A transport of the protocol, sending `authorization: Bearer <token>` (when given) and `metadata` with every call. */
  transport(protocol: Protocol, token?: string, metadata: Record<string, string> = {}): Transport {
    const interceptors: Interceptor[] = [
      (next) => (request) => {
        if (token) request.header.set('authorization', `Bearer ${token}`);
        for (const [name, value] of Object.entries(metadata)) request.header.set(name, value);
        return next(request);
      },
    ];
    switch (protocol) {
      case 'connect':
        return this.connectNode.createConnectTransport({ baseUrl: this.app.url, httpVersion: '1.1', interceptors });
      case 'grpc-web':
        return this.connectNode.createGrpcWebTransport({ baseUrl: this.app.url, httpVersion: '1.1', interceptors });
      case 'grpc': {
        const sessionManager = new this.connectNode.Http2SessionManager(this.app.grpcUrl);
        this.sessions.push(sessionManager);
        return this.connectNode.createGrpcTransport({ baseUrl: this.app.grpcUrl, sessionManager, interceptors });
      }
    }
  }

  auth(protocol: Protocol, token?: string, metadata?: Record<string, string>): AuthClient {
    return this.v1.createAuthServiceClient(this.transport(protocol, token, metadata));
  }

  users(protocol: Protocol, token?: string, metadata?: Record<string, string>): UserClient {
    return this.v2.createUserServiceClient(this.transport(protocol, token, metadata));
  }

  /** The ConnectError a call fails with (fails the test if it succeeds). */
  async failure(call: Promise<unknown>): Promise<ConnectError> {
    try {
      await call;
    } catch (error) {
      return this.connect.ConnectError.from(error);
    }
    throw new Error('the call succeeded');
  }

  /** The ids of the error's `zitadel.v1.ErrorDetail` details. */
  errorDetails(error: ConnectError): { id: string; message: string }[] {
    return error.findDetails(this.errorDetail.ErrorDetailSchema).map(({ id, message }) => ({ id, message }));
  }

  close(): void {
    for (const session of this.sessions.splice(0)) session.abort();
  }
}

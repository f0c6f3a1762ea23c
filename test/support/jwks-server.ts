import { createPublicKey, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** A key an issuer publishes: its `kid` and its public half (a PEM or a key object). */
export interface PublishedKey {
  readonly kid: string;
  readonly publicKey: KeyObject | string;
}

/** A real identity provider's JWKS endpoint (node:http), counting its fetches; `keys` is what it publishes now. */
export class JwksServer {
  keys: PublishedKey[] = [];
  readonly fetches: number[] = [];
  url = '';
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((_request, response) => {
      this.fetches.push(Date.now());
      const keys = this.keys.map((k) => ({
        ...(typeof k.publicKey === 'string' ? createPublicKey(k.publicKey) : k.publicKey).export({ format: 'jwk' }),
        kid: k.kid,
        use: 'sig',
        alg: 'RS256',
      }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth/v2/keys`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

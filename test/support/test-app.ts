import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { issueToken, loadOrCreateSigningKey, TokenRequest } from '@app/auth';
import { AppConfig, loadConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { createApp, CreateAppOptions } from '../../src/app.factory';
import { Bootstrapped } from '../../src/bootstrap/bootstrap.service';
import { GrpcServer } from '../../src/grpc/grpc.server';
import { createTestDatabase } from './test-postgres';

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** The service running on a real port against its own database, as a client sees it. */
export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
  /** The gRPC (h2c) port's base URL. */
  readonly grpcUrl: string;
  readonly config: AppConfig;
  readonly bootstrapped: Bootstrapped;
  readonly dataSource: DataSource;
  /** A token signed with the instance's development key; options override the claims. */
  token(userId: string, overrides?: Partial<TokenRequest>): string;
  readonly adminToken: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/**
 * Starts the whole service (same module, filter, guard, pipes as production)
 * on port 0 against a fresh database; `env` adds or overrides variables,
 * `options` reach createApp (a log destination, say).
 */
export async function startTestApp(env: Record<string, string> = {}, options: CreateAppOptions = {}): Promise<TestApp> {
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'auth-factors-app-'));
  // The factor rate limit is counted but set out of reach: tests of other behaviour fire bursts as one administrator.
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    PORT: '0',
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'fatal',
    FACTOR_RATE_LIMIT: '1000000',
    ...env,
  });
  const { app, bootstrapped } = await createApp(config, options);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const grpcPort = await app.get(GrpcServer).listen(config.grpcPort, config.host);
  const key = loadOrCreateSigningKey(config.dataDir);
  const token = (userId: string, overrides: Partial<TokenRequest> = {}) =>
    issueToken(key, { subject: userId, issuer: config.jwt.issuer, audience: config.jwt.audience, ...overrides });
  return {
    app,
    url,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    config,
    bootstrapped,
    dataSource: app.get(DataSource),
    token,
    adminToken: token(bootstrapped.adminId),
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const init: RequestInit = { method, headers };
      if (options.body !== undefined) {
        init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    close: () => app.close(),
  };
}

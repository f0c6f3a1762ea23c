import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@app/config';
import { DatabaseServer } from '@app/database';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { buildOpenApiDocument } from '../openapi';

/**
 * The OpenAPI document, built from the real controllers without a database:
 * the same modules as the service, with the database connection replaced by
 * stand-ins nothing calls (the document only reads decorators).
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  // A JWKS URL keeps the token verifier from creating a local signing key; nothing is fetched.
  const config = loadConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
    JWKS_URI: 'https://openapi.invalid/jwks',
    JWT_ISSUER: 'openapi',
    JWT_AUDIENCE: 'openapi',
    LOG_LEVEL: 'fatal',
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, { logger: pino({ level: 'silent' }) })] })
    .overrideProvider(DatabaseServer)
    .useValue(new DatabaseServer(config.databaseUrl!))
    .overrideProvider(DataSource)
    .useValue({})
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await moduleRef.close();
  }
}

/** Deterministic JSON: object keys sorted at every level (arrays keep their order), two-space indent, final newline. */
export function stableJson(value: unknown): string {
  const sort = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sort);
    if (node && typeof node === 'object') {
      return Object.fromEntries(
        Object.keys(node)
          .sort()
          .map((key) => [key, sort((node as Record<string, unknown>)[key])]),
      );
    }
    return node;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

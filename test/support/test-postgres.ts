import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
// Relative: jest's global setup does not apply the path aliases.
import { EmbeddedPostgresServer } from '../../libs/database/src/embedded-postgres.server';
import { freePort } from './free-port';

/** A real embedded PostgreSQL server of its own, in a fresh temporary folder. */
export async function startTestPostgres(): Promise<{ server: EmbeddedPostgresServer; url: string; port: number; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgresServer({ dataDir, port });
  const url = await server.start();
  return { server, url, port, dataDir };
}

/** The URL of the PostgreSQL server jest's global setup started for the whole run. */
export function sharedServerUrl(): string {
  const url = process.env.AUTH_FACTORS_TEST_PG_URL;
  if (!url) throw new Error('AUTH_FACTORS_TEST_PG_URL is unset: run the tests through jest (global setup starts PostgreSQL)');
  return url;
}

/** Creates an empty database on the shared server and returns its URL: one per test file. */
export async function createTestDatabase(serverUrl = sharedServerUrl()): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // Raw: creating a database happens before any data source can exist.
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, EmbeddedPostgresServer, runMigrations } from '@app/database';
import { MIGRATIONS } from '../../src/migrations';
import { freePort } from '../../test/support/free-port';

/** The benchmark's own PostgreSQL server, in a temporary folder. */
export interface BenchPostgres {
  readonly server: EmbeddedPostgresServer;
  /** URL of the service's database. */
  readonly serviceUrl: string;
  readonly dataDir: string;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-bench-pg-'));
  const server = new EmbeddedPostgresServer({ dataDir, port: await freePort() });
  const serviceUrl = await server.start();
  return { server, serviceUrl, dataDir };
}

/** Runs `work` with a connected client, closing it afterwards. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` beside the one of `url`, migrated with the service's migrations; returns its URL. */
export async function createMigratedDatabase(url: string, name: string): Promise<string> {
  await withClient(url, (client) => client.query(`CREATE DATABASE ${name}`));
  const target = new URL(url);
  target.pathname = `/${name}`;
  const dataSource = createDataSource({
    url: target.toString(),
    entities: [],
    migrations: MIGRATIONS,
    poolSize: 2,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return target.toString();
}

// Foreign keys first: every table the benchmarked requests read or write.
const COPIED_TABLES = ['organizations', 'users', 'memberships', 'auth_factors', 'event_streams', 'events'];

/** Copies the service's data (users, memberships, streams, events) into the floor's database, rows unchanged. */
export async function copyData(fromUrl: string, toUrl: string): Promise<void> {
  await withClient(fromUrl, (from) =>
    withClient(toUrl, async (to) => {
      for (const table of COPIED_TABLES) {
        const { rows } = await from.query<{ data: Record<string, unknown>[] | null }>(`SELECT json_agg(t) AS data FROM ${table} t`);
        if (!rows[0].data) continue;
        // The source's columns only: any the target has beyond them take their defaults.
        const columns = Object.keys(rows[0].data[0]).map((c) => `"${c}"`).join(', ');
        await to.query(
          `INSERT INTO ${table} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1)`,
          [JSON.stringify(rows[0].data)],
        );
      }
      await to.query(`SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))`);
      await to.query('ANALYZE');
    }),
  );
}

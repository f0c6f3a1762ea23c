import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
  const firstUrl = await server.start();
  // pg_stat_statements counts every statement (BEGIN and COMMIT too) per database: the round trips per request.
  // It has to be preloaded, so the server restarts once with it.
  await withClient(firstUrl, (client) => client.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`));
  await server.stop();
  const serviceUrl = await server.start();
  await withClient(serviceUrl, (client) => client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
  return { server, serviceUrl, dataDir };
}

/** The pid of the server's postmaster: the parent of this connection's backend. */
export async function postmasterPid(url: string): Promise<number> {
  // Read while connected: the backend ends with the connection.
  return withClient(url, async (client) => {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const stat = await readFile(`/proc/${backend}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  });
}

/** Statements PostgreSQL executed per database since the last {@link resetStatementStats}. */
export interface StatementStats {
  readonly total: number;
  /** The most frequent statements, normalised by pg_stat_statements, with their call counts. */
  readonly top: readonly { readonly query: string; readonly calls: number; readonly meanExecMs?: number }[];
}

export async function resetStatementStats(url: string): Promise<void> {
  await withClient(url, (client) => client.query('SELECT pg_stat_statements_reset()'));
}

/** The statements run in database `database` since the last reset (the counting queries themselves excluded). */
export async function statementStats(url: string, database: string): Promise<StatementStats> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ query: string; calls: string; mean_exec_ms: number }>(
      `SELECT regexp_replace(s.query, '\\s+', ' ', 'g') AS query, sum(s.calls)::bigint AS calls,
              (sum(s.total_exec_time) / greatest(sum(s.calls), 1))::float8 AS mean_exec_ms
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = $1 AND s.query NOT LIKE '%pg_stat_statements%'
       GROUP BY 1 ORDER BY 2 DESC`,
      [database],
    );
    const top = rows.map((r) => ({
      query: r.query.length > 160 ? `${r.query.slice(0, 157)}...` : r.query,
      calls: Number(r.calls),
      meanExecMs: Math.round(r.mean_exec_ms * 1000) / 1000,
    }));
    return { total: top.reduce((sum, r) => sum + r.calls, 0), top: top.slice(0, 15) };
  });
}

/**
 * Waits until the service's outbox has caught up with the events written so far: no event past the fan-out
 * cursor, no delivery pending. Each measurement then counts the background work its own requests caused, and
 * the next one does not pay for it. Gives up after `timeoutMs`, saying how much was left.
 */
export async function drainOutbox(serviceUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withClient(serviceUrl, async (client) => {
    for (;;) {
      const { rows } = await client.query<{ events: number; deliveries: number }>(
        `SELECT (SELECT count(*) FROM events e, outbox_cursor c WHERE e.tx_id IS NOT NULL AND (e.tx_id, e.id) > (c.tx_id, c.event_id))::int AS events,
                (SELECT count(*) FROM deliveries WHERE status = 'pending')::int AS deliveries`,
      );
      if (rows[0].events === 0 && rows[0].deliveries === 0) return;
      if (Date.now() > deadline)
        throw new Error(`the outbox did not catch up within ${timeoutMs} ms: ${rows[0].events} events, ${rows[0].deliveries} deliveries left`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
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
        const columns = Object.keys(rows[0].data[0])
          .map((c) => `"${c}"`)
          .join(', ');
        await to.query(`INSERT INTO ${table} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1)`, [
          JSON.stringify(rows[0].data),
        ]);
      }
      await to.query(`SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))`);
      await to.query('ANALYZE');
    }),
  );
}

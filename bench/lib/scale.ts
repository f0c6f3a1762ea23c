import type { Client } from 'pg';
import { withClient } from './database';

/**
 * Bulk rows are history, not changes anyone should hear about: the transaction that writes them also moves the
 * outbox's fan-out cursor past them (FOR UPDATE waits out a dispatcher round in flight), as if they had been
 * dispatched long ago. Otherwise the dispatcher would spend the scale runs fanning out a backlog of millions
 * of events (and recording 10M security e-mails) instead of the removals being measured. Nothing else writes
 * events while the bench fills, and {@link waitForOutbox} lets the dispatcher finish the live ones first.
 */
const SKIP_OUTBOX = `UPDATE outbox_cursor SET tx_id = pg_current_xact_id(), event_id = (SELECT max(id) FROM events), changed_at = now() WHERE id = 1`;

/** Waits until the dispatcher has fanned out every event written so far (the live ones of the load). */
async function waitForOutbox(client: Client): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 200) {
    const { rows } = await client.query<{ behind: string }>(
      `SELECT count(*) AS behind FROM events e, outbox_cursor c WHERE c.id = 1 AND e.tx_id IS NOT NULL AND (e.tx_id, e.id) > (c.tx_id, c.event_id)`,
    );
    if (Number(rows[0].behind) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the outbox dispatcher did not catch up with the live events within 60 s');
}

/** Bulk users are numeric ids from here on, in an organization of their own. */
const BULK_ID_BASE = 900_000_000_000_000_000n;
const BULK_ORG = '899999999999999999';
const CHUNK = 100_000;

const progress = (text: string) => process.stdout.write(`\r  ${text}`.padEnd(70));

/** Counts of what the benchmarked requests touch. */
export async function countRows(url: string): Promise<{ users: number; events: number }> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ users: string; events: string }>(
      'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM events) AS events',
    );
    return { users: Number(rows[0].users), events: Number(rows[0].events) };
  });
}

/**
 * Adds bulk users (each with a stream and its creation event, as the API would
 * leave them) until the users table holds `total` rows. Plain SQL, in chunks.
 */
export async function fillUsers(url: string, total: number): Promise<void> {
  await withClient(url, async (client) => {
    await waitForOutbox(client);
    await client.query(`INSERT INTO organizations (id, name, created_at) VALUES ($1, 'bench-bulk', now()) ON CONFLICT DO NOTHING`, [BULK_ORG]);
    const existing = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0].n);
    const bulk = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE organization_id = $1', [BULK_ORG])).rows[0].n);
    for (let from = bulk + 1, last = bulk + (total - existing); from <= last; from += CHUNK) {
      const to = Math.min(last, from + CHUNK - 1);
      progress(`users: ${to - bulk} / ${last - bulk}`);
      const params = [BULK_ID_BASE.toString(), from, to, BULK_ORG];
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO users (id, organization_id, username, given_name, family_name, email, email_verified, phone, phone_verified, created_at)
         SELECT ($1::numeric + i)::text, $4, 'bulk-' || i, 'Bulk', 'User ' || i, 'bulk' || i || '@example.com', true, '+41780000000', true, now()
         FROM generate_series($2::int, $3::int) i`,
        params,
      );
      await client.query(
        `INSERT INTO event_streams (aggregate_id, aggregate_type, sequence) SELECT ($1::numeric + i)::text, 'user', 1 FROM generate_series($2::int, $3::int) i`,
        params.slice(0, 3),
      );
      await client.query(
        `INSERT INTO events (aggregate_type, aggregate_id, sequence, type, creator, resource_owner, request_id, payload)
         SELECT 'user', ($1::numeric + i)::text, 1, 'user.human.added', 'system', $4, 'bench-bulk', '{}'::jsonb FROM generate_series($2::int, $3::int) i`,
        params,
      );
      await client.query(SKIP_OUTBOX);
      await client.query('COMMIT');
    }
    process.stdout.write('\n');
    await client.query('VACUUM ANALYZE users, event_streams, events');
    // Write the fill's dirty pages out now: a checkpoint spread over the measurement would measure the fill, not the removals.
    await client.query('CHECKPOINT');
  });
}

/**
 * Grows the events table to at least `total` rows with further events of the
 * bulk users (their streams advanced to match, so sequences stay gapless).
 */
export async function fillEvents(url: string, total: number): Promise<void> {
  await withClient(url, async (client) => {
    const { events, bulkUsers } = (
      await client.query<{ events: string; bulkUsers: string }>(
        `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM users WHERE organization_id = $1) AS "bulkUsers"`,
        [BULK_ORG],
      )
    ).rows[0];
    const missing = total - Number(events);
    if (missing <= 0) return;
    if (Number(bulkUsers) === 0) throw new Error('fillEvents needs bulk users (fillUsers first)');
    await waitForOutbox(client);
    // Even, so each bulk user's OTP Email ends removed: replaying the log matches the read model.
    const perUser = Math.ceil(missing / Number(bulkUsers) / 2) * 2;
    const usersChunk = Math.max(1, Math.floor(1_000_000 / perUser));
    for (let from = 1; from <= Number(bulkUsers); from += usersChunk) {
      const to = Math.min(Number(bulkUsers), from + usersChunk - 1);
      progress(`events: ${(to * perUser).toLocaleString('en')} / ${(Number(bulkUsers) * perUser).toLocaleString('en')} added`);
      await client.query('BEGIN');
      // Lock the streams first (as the event store's CTE does), then number after them.
      const { rows } = await client.query<{ sequence: string }>(
        `UPDATE event_streams SET sequence = sequence + $4 WHERE aggregate_id IN (SELECT ($1::numeric + i)::text FROM generate_series($2::int, $3::int) i) RETURNING sequence`,
        [BULK_ID_BASE.toString(), from, to, perUser],
      );
      if (rows.length !== to - from + 1) throw new Error('bulk streams missing');
      await client.query(
        `INSERT INTO events (aggregate_type, aggregate_id, sequence, type, creator, resource_owner, request_id, payload)
         SELECT 'user', s.aggregate_id, s.sequence - $4 + k, CASE WHEN k % 2 = 1 THEN 'user.human.otp.email.added' ELSE 'user.human.otp.email.removed' END,
                'system', $5, 'bench-bulk', '{}'::jsonb
         FROM event_streams s, generate_series(1, $4::int) k
         WHERE s.aggregate_id IN (SELECT ($1::numeric + i)::text FROM generate_series($2::int, $3::int) i)`,
        [BULK_ID_BASE.toString(), from, to, perUser, BULK_ORG],
      );
      await client.query(SKIP_OUTBOX);
      await client.query('COMMIT');
    }
    process.stdout.write('\n');
    await client.query('VACUUM ANALYZE events, event_streams');
    await client.query('CHECKPOINT');
  });
}

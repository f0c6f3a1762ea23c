import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/** Names of the prepared statements by text: a hot path has a handful, so hashing each text once is enough. */
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * An open database transaction, handed from a service to its repositories.
 * Services only pass it on; repositories use its manager.
 *
 * Not `atomic`: its statements each commit on their own (see TransactionRunner.autocommit), for work whose one
 * write statement is atomic by itself and needs no transaction around it.
 */
export class Transaction {
  constructor(
    readonly manager: EntityManager,
    readonly atomic = true,
  ) {}

  /**
   * Runs one statement as a named (prepared) statement on the transaction's connection (any pooled one when not
   * atomic): PostgreSQL parses and plans it once per connection instead of at every call. For the hot path's few
   * statements only; the name comes from the text, so one text is one prepared statement.
   */
  async prepared<T>(text: string, values: unknown[]): Promise<T[]> {
    const name = statementName(text);
    const statement = { name, text, values };
    const runner = this.manager.queryRunner as PostgresQueryRunner | undefined;
    if (runner) return (await ((await runner.connect()) as PgQueryable).query(statement)).rows as T[];
    // A query runner of its own rather than the pool's query(): it listens for the connection's errors for as long
    // as it holds the connection (the pool's query() only for the first one, and a second one would crash the process).
    const own = this.manager.connection.createQueryRunner() as PostgresQueryRunner;
    try {
      return (await ((await own.connect()) as PgQueryable).query(statement)).rows as T[];
    } finally {
      await own.release();
    }
  }
}

/** What every command that other modules may compose accepts, in its options object (never as a positional argument). */
export interface TransactionOptions {
  /** Join this open transaction instead of opening one: the caller's own writes and the command's, all or nothing. */
  readonly transaction?: Transaction;
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { composeStatement, SqlFragment, Transaction } from '@app/database';

/** Where a subject's counter stands after one more hit. */
export interface RateLimitHit {
  /** Hits in the current window, this one included. */
  readonly count: number;
  /** Seconds until the current window ends. */
  readonly secondsLeft: number;
}

// Raw: the rate-limit window, a data-modifying CTE on every factor command that TypeORM cannot compose.
/**
 * The CTEs `now_window`, `purged` and `hit`: drop the subject's past windows, then count the hit in the current
 * fixed window (the database's clock, so all instances agree). ON CONFLICT DO UPDATE is atomic: concurrent hits each
 * get their own count. Raw: the hit joins a factor command's write statement (one round trip fewer per change).
 */
export function hitFragment(subject: string, windowSeconds: number): SqlFragment {
  return (param) => {
    const window = param(windowSeconds, 'int');
    const key = param(subject, 'text');
    return `now_window AS (
    SELECT to_timestamp(floor(extract(epoch FROM clock_timestamp()) / ${window}) * ${window}) AS start
  ), purged AS (
    DELETE FROM rate_limit_counters c USING now_window w WHERE c.subject = ${key} AND c.window_start < w.start
  ), hit AS (
    INSERT INTO rate_limit_counters AS c (subject, window_start, count)
    SELECT ${key}, w.start, 1 FROM now_window w
    ON CONFLICT (subject, window_start) DO UPDATE SET count = c.count + 1
    RETURNING c.count, extract(epoch FROM (c.window_start + make_interval(secs => ${window}) - clock_timestamp()))::float8 AS seconds_left
  )`;
  };
}

/** Rate-limit counters in PostgreSQL, shared by every instance. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one hit of `subject` in the current window of `windowSeconds` (inside `tx` when given). */
  async hit(subject: string, windowSeconds: number, tx?: Transaction): Promise<RateLimitHit> {
    const manager = tx?.manager ?? this.dataSource.manager;
    const { text, values } = composeStatement((param) => `WITH ${hitFragment(subject, windowSeconds)(param)} SELECT count, seconds_left FROM hit`);
    const rows: { count: number; seconds_left: number }[] = await manager.query(text, values);
    return { count: rows[0].count, secondsLeft: rows[0].seconds_left };
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Transaction } from '@app/database';

/** Where a subject's counter stands after one more hit. */
export interface RateLimitHit {
  /** Hits in the current window, this one included. */
  readonly count: number;
  /** Seconds until the current window ends. */
  readonly secondsLeft: number;
}

// Raw: the rate-limit window, a data-modifying CTE on every factor command that TypeORM cannot compose.
// One statement, one round trip: drop the subject's past windows, then count
// the hit in the current fixed window (the database's clock, so all instances
// agree). ON CONFLICT DO UPDATE is atomic: concurrent hits each get their own count.
const HIT_SQL = `
  WITH now_window AS (
    SELECT to_timestamp(floor(extract(epoch FROM clock_timestamp()) / $2) * $2) AS start
  ), purged AS (
    DELETE FROM rate_limit_counters c USING now_window w WHERE c.subject = $1 AND c.window_start < w.start
  ), hit AS (
    INSERT INTO rate_limit_counters AS c (subject, window_start, count)
    SELECT $1, w.start, 1 FROM now_window w
    ON CONFLICT (subject, window_start) DO UPDATE SET count = c.count + 1
    RETURNING c.count, c.window_start
  )
  SELECT count, extract(epoch FROM (window_start + make_interval(secs => $2) - clock_timestamp()))::float8 AS seconds_left FROM hit`;

/** Rate-limit counters in PostgreSQL, shared by every instance. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one hit of `subject` in the current window of `windowSeconds` (inside `tx` when given). */
  async hit(subject: string, windowSeconds: number, tx?: Transaction): Promise<RateLimitHit> {
    const manager = tx?.manager ?? this.dataSource.manager;
    const rows: { count: number; seconds_left: number }[] = await manager.query(HIT_SQL, [subject, windowSeconds]);
    return { count: rows[0].count, secondsLeft: rows[0].seconds_left };
  }
}

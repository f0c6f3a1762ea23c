import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { SqlFragment, Transaction } from '@app/database';
import { ResourceExhaustedError } from '@app/errors';
import { hitFragment, RateLimitHit, RateLimitRepository } from './rate-limit.repository';

const FACTOR_MUTATION = { id: 'AUTHF-RATE-429', what: 'second-factor changes' } as const;

/** A rate-limit hit counted inside another statement: its CTEs and result columns. */
export interface StatementHit {
  readonly before: SqlFragment;
  readonly columns: SqlFragment;
  /** Throws the 429 (code 8) when the statement's result row shows the hit over the limit. */
  check(row: Record<string, unknown>): void;
}

/**
 * Abuse limits per acting user, counted in the database so that they hold
 * across instances. Attempts count whether they succeed or not: a caller
 * probing or hammering is what the limit is for.
 */
@Injectable()
export class RateLimitService {
  private readonly limit: number;
  private readonly windowSeconds: number;
  private readonly codeSends: { readonly limit: number; readonly windowSeconds: number };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly counters: RateLimitRepository,
  ) {
    ({ limit: this.limit, windowSeconds: this.windowSeconds } = config.factorRateLimit);
    this.codeSends = { limit: config.codes.sendsPerHour, windowSeconds: 3600 };
  }

  /** Counts one factor mutation by `caller`; throws 429 (code 8) with the seconds to wait once over the limit. */
  async consumeFactorMutation(caller: Caller, existing?: Transaction): Promise<void> {
    if (this.limit === 0 || caller.system) return;
    await this.consume(`factor-mutation:${caller.userId}`, this.limit, this.windowSeconds, FACTOR_MUTATION.id, FACTOR_MUTATION.what, existing);
  }

  /**
   * One factor mutation by `caller` to count inside the command's first statement (undefined: not counted), so that
   * the hit costs no round trip of its own; it is counted before anything is checked, as {@link consumeFactorMutation} is.
   */
  factorMutationInStatement(caller: Caller): StatementHit | undefined {
    if (this.limit === 0 || caller.system) return undefined;
    const { limit, windowSeconds } = this;
    return {
      before: hitFragment(`factor-mutation:${caller.userId}`, windowSeconds),
      columns: () => '(SELECT count FROM hit) AS hit_count, (SELECT seconds_left FROM hit) AS hit_seconds_left',
      check: (row) => this.refuseOver({ count: Number(row.hit_count), secondsLeft: Number(row.hit_seconds_left) }, limit, windowSeconds, FACTOR_MUTATION),
    };
  }

  /**
   * Counts one sign-in challenge or code check for `userId`: a budget of its own, so that whoever can start sign-ins
   * for a user cannot spend the user's budget for securing their account.
   */
  async consumeSignInAttempt(userId: string): Promise<void> {
    if (this.limit === 0) return;
    await this.consume(`sign-in:${userId}`, this.limit, this.windowSeconds, 'AUTHF-RATE-429-SIGNIN', 'sign-in codes for this user');
  }

  /** Counts one code sent to `destination` (a phone number or e-mail address), whoever asked: no number is pumped with texts. */
  async consumeCodeSend(destination: string, existing?: Transaction): Promise<void> {
    if (this.codeSends.limit === 0) return;
    await this.consume(
      `code-send:${destination}`,
      this.codeSends.limit,
      this.codeSends.windowSeconds,
      'AUTHF-RATE-429-SEND',
      'codes sent to this destination',
      existing,
    );
  }

  private async consume(key: string, limit: number, windowSeconds: number, id: string, what: string, existing?: Transaction): Promise<void> {
    this.refuseOver(await this.counters.hit(key, windowSeconds, existing), limit, windowSeconds, { id, what });
  }

  private refuseOver(hit: RateLimitHit, limit: number, windowSeconds: number, refusal: { readonly id: string; readonly what: string }): void {
    if (hit.count > limit) {
      throw new ResourceExhaustedError(
        refusal.id,
        `Too many ${refusal.what}: at most ${limit} per ${windowSeconds} s; try again later`,
        Math.max(1, Math.ceil(hit.secondsLeft)),
      );
    }
  }
}

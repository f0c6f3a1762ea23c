import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@app/auth';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { Transaction } from '@app/database';
import { ResourceExhaustedError } from '@app/errors';
import { RateLimitRepository } from './rate-limit.repository';

/**
 * Abuse limits per acting user, counted in the database so that they hold
 * across instances. Attempts count whether they succeed or not: a caller
 * probing or hammering is what the limit is for.
 */
@Injectable()
export class RateLimitService {
  private readonly limit: number;
  private readonly windowSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly counters: RateLimitRepository,
  ) {
    ({ limit: this.limit, windowSeconds: this.windowSeconds } = config.factorRateLimit);
  }

  /** Counts one factor mutation by `caller`; throws 429 (code 8) with the seconds to wait once over the limit. */
  async consumeFactorMutation(caller: Caller, existing?: Transaction): Promise<void> {
    if (this.limit === 0 || caller.system) return;
    const { count, secondsLeft } = await this.counters.hit(`factor-mutation:${caller.userId}`, this.windowSeconds, existing);
    if (count > this.limit) {
      throw new ResourceExhaustedError(
        'AUTHF-RATE-429',
        `Too many second-factor changes: at most ${this.limit} per ${this.windowSeconds} s; try again later`,
        Math.max(1, Math.ceil(secondsLeft)),
      );
    }
  }
}

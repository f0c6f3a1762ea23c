import { Injectable } from '@nestjs/common';
import { SqlFragment, Transaction } from '@app/database';
import { AuthFactorType } from './auth-factor.kind';
import type { AuthFactorRecord } from './auth-factor.record';
import { AuthFactorEntity } from './entities/auth-factor.entity';

/** The configured second factors of users. */
@Injectable()
export class AuthFactorsRepository {
  /** The user's factors, oldest first. */
  async listByUser(tx: Transaction, userId: string): Promise<AuthFactorRecord[]> {
    const factors = await tx.manager.find(AuthFactorEntity, {
      select: { type: true, state: true, createdAt: true },
      where: { userId },
      order: { createdAt: 'ASC', type: 'ASC' },
    });
    return factors.map((factor) => ({ type: factor.type, state: factor.state, createdAt: factor.createdAt }));
  }

  /** Adds the factor; false when the user already has it. */
  async add(tx: Transaction, userId: string, type: AuthFactorType): Promise<boolean> {
    // Raw: hot path of every factor command; its SQL changes only together with a bench run (bench/).
    const rows: unknown[] = await tx.manager.query(
      'INSERT INTO auth_factors (user_id, type, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING RETURNING 1',
      [userId, type],
    );
    return rows.length === 1;
  }

  /**
   * The CTE `changed` of a factor command's write statement (see EventStore.appendIfAt): adds or removes the factor
   * only once the statement's `go` holds; a row when it changed. Raw: part of the one statement a factor change costs.
   */
  changeFragment(userId: string, type: AuthFactorType, action: 'add' | 'remove'): SqlFragment {
    return (param) =>
      action === 'add'
        ? `changed AS (INSERT INTO auth_factors (user_id, type, created_at) SELECT ${param(userId)}, ${param(type)}, now() FROM go ON CONFLICT DO NOTHING RETURNING 1)`
        : `changed AS (DELETE FROM auth_factors WHERE user_id = ${param(userId)} AND type = ${param(type)} AND EXISTS (SELECT 1 FROM go) RETURNING 1)`;
  }

  /** Removes the factor; false when the user did not have it. */
  async remove(tx: Transaction, userId: string, type: AuthFactorType): Promise<boolean> {
    // Raw: hot path of every factor command; its SQL changes only together with a bench run (bench/).
    // Wrapped in a SELECT: TypeORM reshapes the result of a bare DELETE.
    const rows: { removed: number }[] = await tx.manager.query(
      'WITH removed AS (DELETE FROM auth_factors WHERE user_id = $1 AND type = $2 RETURNING 1) SELECT count(*)::int AS removed FROM removed',
      [userId, type],
    );
    return rows[0].removed === 1;
  }
}

import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';

// Any constant all instances agree on: one bootstrap at a time across processes.
const BOOTSTRAP_LOCK_KEY = 7_421_337_002;

/** What the first start needs to know about the instance. */
@Injectable()
export class BootstrapRepository {
  /** Holds the bootstrap lock until the transaction ends. */
  async lock(tx: Transaction): Promise<void> {
    // Raw: an advisory lock is a function call on no table; TypeORM has no API for it.
    await tx.manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
  }

  /** The instance administrator created by the bootstrap, if it ran. */
  async findAdministratorId(tx: Transaction, username: string): Promise<string | undefined> {
    // By table names: the users' and memberships' entities stay in their features.
    const administrator: { id: string } | undefined = await tx.manager
      .createQueryBuilder('users', 'u')
      .select('u.id', 'id')
      .innerJoin('memberships', 'm', 'm.userId = u.id AND m.scope = :scope', { scope: 'instance' })
      .where('u.username = :username', { username })
      .orderBy('u.createdAt', 'ASC')
      .limit(1)
      .getRawOne();
    return administrator?.id;
  }
}

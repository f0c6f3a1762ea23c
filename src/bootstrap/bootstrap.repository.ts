import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';

// Any constant all instances agree on: one bootstrap at a time across processes.
const BOOTSTRAP_LOCK_KEY = 7_421_337_002;

/** What the first start needs to know about the instance. */
@Injectable()
export class BootstrapRepository {
  /** Holds the bootstrap lock until the transaction ends. */
  async lock(tx: Transaction): Promise<void> {
    await tx.manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
  }

  /** The instance administrator created by the bootstrap, if it ran. */
  async findAdministratorId(tx: Transaction, username: string): Promise<string | undefined> {
    const rows: { id: string }[] = await tx.manager.query(
      `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id AND m.scope = 'instance'
       WHERE u.username = $1 ORDER BY u.created_at LIMIT 1`,
      [username],
    );
    return rows[0]?.id;
  }
}

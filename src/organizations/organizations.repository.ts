import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';

/** The organizations read model. */
@Injectable()
export class OrganizationsRepository {
  async insert(tx: Transaction, id: string, name: string): Promise<void> {
    await tx.manager.query('INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, now())', [id, name]);
  }

  async exists(tx: Transaction, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.manager.query('SELECT 1 FROM organizations WHERE id = $1', [id]);
    return rows.length > 0;
  }

  /** The organization with this name, oldest first, if any. */
  async findIdByName(tx: Transaction, name: string): Promise<string | undefined> {
    const rows: { id: string }[] = await tx.manager.query('SELECT id FROM organizations WHERE name = $1 ORDER BY created_at LIMIT 1', [name]);
    return rows[0]?.id;
  }

  /** Locks the organization's row until the transaction ends. */
  async lock(tx: Transaction, id: string): Promise<boolean> {
    const rows: unknown[] = await tx.manager.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [id]);
    return rows.length > 0;
  }
}

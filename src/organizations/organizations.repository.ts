import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { OrganizationEntity } from './entities/organization.entity';

/** The organizations read model. */
@Injectable()
export class OrganizationsRepository {
  async insert(tx: Transaction, id: string, name: string): Promise<void> {
    // The database's clock, as for every other creation time.
    await tx.manager.insert(OrganizationEntity, { id, name, createdAt: () => 'now()' });
  }

  async exists(tx: Transaction, id: string): Promise<boolean> {
    return tx.manager.existsBy(OrganizationEntity, { id });
  }

  /** The organization with this name, oldest first, if any. */
  async findIdByName(tx: Transaction, name: string): Promise<string | undefined> {
    const organization = await tx.manager.findOne(OrganizationEntity, { select: { id: true }, where: { name }, order: { createdAt: 'ASC' } });
    return organization?.id;
  }

  /** Locks the organization's row until the transaction ends. */
  async lock(tx: Transaction, id: string): Promise<boolean> {
    const organization = await tx.manager.findOne(OrganizationEntity, { select: { id: true }, where: { id }, lock: { mode: 'pessimistic_write' } });
    return organization !== null;
  }
}

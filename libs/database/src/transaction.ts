import type { EntityManager } from 'typeorm';

/**
 * An open database transaction, handed from a service to its repositories.
 * Services only pass it on; repositories use its manager.
 */
export class Transaction {
  constructor(readonly manager: EntityManager) {}
}

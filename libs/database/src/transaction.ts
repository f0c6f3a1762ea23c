import type { EntityManager } from 'typeorm';

/**
 * An open database transaction, handed from a service to its repositories.
 * Services only pass it on; repositories use its manager.
 */
export class Transaction {
  constructor(readonly manager: EntityManager) {}
}

/** What every command that other modules may compose accepts, in its options object (never as a positional argument). */
export interface TransactionOptions {
  /** Join this open transaction instead of opening one: the caller's own writes and the command's, all or nothing. */
  readonly transaction?: Transaction;
}

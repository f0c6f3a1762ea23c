import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Transaction } from './transaction';

// Deadlock and serialization failures: the whole transaction may simply run again.
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/** Opens transactions; the unit every command runs in. */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in the caller's transaction when given one, else without a transaction: each of its statements
   * commits on its own. For work whose only write is one statement, atomic by itself: no START TRANSACTION and
   * COMMIT round trips around it.
   */
  async autocommit<T>(work: (tx: Transaction) => Promise<T>, existing?: Transaction): Promise<T> {
    return work(existing ?? new Transaction(this.dataSource.manager, false));
  }

  /**
   * Runs `work` in the caller's transaction when given one (so callers can compose
   * several commands atomically), else in a new one that commits when `work` resolves.
   */
  async run<T>(work: (tx: Transaction) => Promise<T>, existing?: Transaction): Promise<T> {
    if (existing) return work(existing);
    for (let attempt = 1; ; attempt++) {
      try {
        // READ COMMITTED: the sessions' default, set at connect (see createDataSource); naming it here
        // would cost a SET TRANSACTION round trip per transaction.
        return await this.dataSource.transaction((manager) => work(new Transaction(manager)));
      } catch (error) {
        const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
        if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
      }
    }
  }
}

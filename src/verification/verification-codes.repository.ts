import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Transaction } from '@app/database';
import type { CodePurposeName } from './code-purpose';
import { VerificationCodeEntity } from './entities/verification-code.entity';

/** A pending code as the engine sees it. */
export interface StoredCode {
  readonly id: string;
  readonly userId: string;
  readonly organizationId: string;
  readonly purpose: CodePurposeName;
  readonly codeHash: Buffer;
  readonly destination: string;
  readonly urlTemplate: string | null;
  readonly pendingDelivery: Buffer | null;
  readonly failedAttempts: number;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

function toStoredCode(entity: VerificationCodeEntity): StoredCode {
  return {
    id: entity.id,
    userId: entity.userId,
    organizationId: entity.organizationId,
    purpose: entity.purpose,
    codeHash: entity.codeHash,
    destination: entity.destination,
    urlTemplate: entity.urlTemplate,
    pendingDelivery: entity.pendingDelivery,
    failedAttempts: entity.failedAttempts,
    expiresAt: entity.expiresAt,
    createdAt: entity.createdAt,
  };
}

/** The pending codes. Every write happens under the user's lock, taken by the command that issues or checks a code. */
@Injectable()
export class VerificationCodesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores `code` as the user's one code of its purpose, replacing any earlier one. */
  async replace(tx: Transaction, code: Omit<StoredCode, 'failedAttempts' | 'createdAt'>): Promise<void> {
    await tx.manager.delete(VerificationCodeEntity, { userId: code.userId, purpose: code.purpose });
    await tx.manager.insert(VerificationCodeEntity, { ...code, failedAttempts: 0, createdAt: new Date() });
  }

  /** The user's pending code of `purpose`. */
  async find(tx: Transaction, userId: string, purpose: CodePurposeName): Promise<StoredCode | undefined> {
    const entity = await tx.manager.findOneBy(VerificationCodeEntity, { userId, purpose });
    return entity ? toStoredCode(entity) : undefined;
  }

  /** A code by id, outside any command (the outbox delivering it). */
  async findById(id: string): Promise<StoredCode | undefined> {
    const entity = await this.dataSource.manager.findOneBy(VerificationCodeEntity, { id });
    return entity ? toStoredCode(entity) : undefined;
  }

  /** Counts a wrong attempt. */
  async countFailure(tx: Transaction, id: string): Promise<void> {
    await tx.manager.increment(VerificationCodeEntity, { id }, 'failedAttempts', 1);
  }

  /** Ends a code (used, expired, dead or its channel gone); false when there was none. */
  async remove(tx: Transaction, userId: string, purpose: CodePurposeName): Promise<boolean> {
    const { affected } = await tx.manager.delete(VerificationCodeEntity, { userId, purpose });
    return (affected ?? 0) > 0;
  }

  /** Drops the encrypted code once it was sent; the code row itself, with its hash, lives on until used or expired. */
  async clearPendingDelivery(tx: Transaction, id: string): Promise<boolean> {
    const { affected } = await tx.manager.update(VerificationCodeEntity, { id }, { pendingDelivery: null });
    return (affected ?? 0) > 0;
  }
}

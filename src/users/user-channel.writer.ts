import { Injectable } from '@nestjs/common';
import { Transaction } from '@app/database';
import { UsersRepository } from './users.repository';

/**
 * Stores a user's contact channels (phone, e-mail address) in the caller's transaction: the narrow port the
 * channels feature writes through. The caller has locked the user and applied the channel rules (verification,
 * step-up, notices); this only stores the outcome.
 */
@Injectable()
export class UserChannelWriter {
  constructor(private readonly users: UsersRepository) {}

  /** Sets the phone (null: removes it) and whether it is verified. */
  setPhone(tx: Transaction, userId: string, phone: string | null, verified: boolean): Promise<void> {
    return this.users.setPhone(tx, userId, phone, verified);
  }

  /** Sets the e-mail address and whether it is verified. */
  setEmail(tx: Transaction, userId: string, email: string, verified: boolean): Promise<void> {
    return this.users.setEmail(tx, userId, email, verified);
  }
}

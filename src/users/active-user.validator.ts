import { Injectable } from '@nestjs/common';
import { PrincipalValidator } from '@app/auth';
import { UsersRepository } from './users.repository';

/** A token acts for its subject only while that user exists and is active. */
@Injectable()
export class ActiveUserValidator implements PrincipalValidator {
  constructor(private readonly users: UsersRepository) {}

  isActive(userId: string): Promise<boolean> {
    return this.users.isActive(userId);
  }
}

import type { AuthFactorType } from './auth-factor.kind';

/** A second factor a user has configured, as the read model holds it. */
export interface AuthFactorRecord {
  readonly type: AuthFactorType;
  readonly state: 'ready';
  readonly createdAt: Date;
}

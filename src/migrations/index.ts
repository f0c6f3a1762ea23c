import { CreateEventstore1732320000000 } from '@app/eventstore';
import { CreateIdentitySchema1732320000001 } from './1732320000001-create-identity-schema';
import { CreateRateLimitCounters1732320000002 } from './1732320000002-create-rate-limit-counters';
import { CreateFactorProtections1732320000003 } from './1732320000003-create-factor-protections';
import { CreateOutbox1732320000004 } from './1732320000004-create-outbox';
import { UnloggedRateLimitCounters1732320000005 } from './1732320000005-unlogged-rate-limit-counters';
import { CreateVerificationCodes1732320000006 } from './1732320000006-create-verification-codes';
import { WebhookActive1732320000016 } from './1732320000016-webhook-active';
import { UserLifecycleAndAudit1732320001700 } from './1732320001700-user-lifecycle-and-audit';

/** Every migration, oldest first: the only way the schema changes. */
export const MIGRATIONS = [
  CreateEventstore1732320000000,
  CreateIdentitySchema1732320000001,
  CreateRateLimitCounters1732320000002,
  CreateFactorProtections1732320000003,
  CreateOutbox1732320000004,
  UnloggedRateLimitCounters1732320000005,
  CreateVerificationCodes1732320000006,
  WebhookActive1732320000016,
  UserLifecycleAndAudit1732320001700,
];

import { EventEntity, EventStreamEntity } from '@app/eventstore';
import { AuthFactorEntity } from './auth-factors/entities/auth-factor.entity';
import { IdempotencyKeyEntity } from './auth-factors/entities/idempotency-key.entity';
import { OrganizationFactorPolicyEntity } from './factor-policy/entities/organization-factor-policy.entity';
import { OrganizationEntity } from './organizations/entities/organization.entity';
import { DeliveryAttemptEntity } from './outbox/entities/delivery-attempt.entity';
import { DeliveryEntity } from './outbox/entities/delivery.entity';
import { OutboxCursorEntity } from './outbox/entities/outbox-cursor.entity';
import { WebhookEntity } from './outbox/entities/webhook.entity';
import { MembershipEntity } from './permissions/entities/membership.entity';
import { RateLimitCounterEntity } from './rate-limit/entities/rate-limit-counter.entity';
import { DeletedUserEntity } from './users/entities/deleted-user.entity';
import { UserEntity } from './users/entities/user.entity';
import { VerificationCodeEntity } from './verification/entities/verification-code.entity';

/** Every entity, listed (no globs): the data source's schema in code, one per table the migrations create. */
export const ENTITIES = [
  EventStreamEntity,
  EventEntity,
  OrganizationEntity,
  UserEntity,
  DeletedUserEntity,
  MembershipEntity,
  AuthFactorEntity,
  IdempotencyKeyEntity,
  OrganizationFactorPolicyEntity,
  RateLimitCounterEntity,
  VerificationCodeEntity,
  OutboxCursorEntity,
  WebhookEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
];

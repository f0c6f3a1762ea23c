import { DeletedUserEntity } from './users/entities/deleted-user.entity';
import { VerificationCodeEntity } from './verification/entities/verification-code.entity';

/** Every entity, listed (no globs): the data source's schema in code. */
export const ENTITIES = [VerificationCodeEntity, DeletedUserEntity];

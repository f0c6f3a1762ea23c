import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { composeStatement, SqlFragment, Transaction } from '@app/database';
import { AlreadyExistsError, NotFoundError } from '@app/errors';
import type { StoredFactorPolicy } from '../common/factor-policy.record';
import { INSTANCE_SCOPE } from '../permissions/permission';
import type { HeldRoles } from '../permissions/permission';
import { DeletedUserEntity } from './entities/deleted-user.entity';
import { UserEntity } from './entities/user.entity';
import { UserRecord, UserState } from './user.record';

interface UserRow {
  id: string;
  organization_id: string;
  username: string;
  state: UserState;
  given_name: string;
  family_name: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  created_at: Date;
  changed_at: Date;
  sequence: string | null;
}

/**
 * A user with what the first step of a command or read on it needs besides: the acting caller's roles
 * (instance-wide and in the user's organization) and the organization's own factor policy (none: the defaults).
 */
export interface UserWithAccess {
  readonly user: UserRecord;
  readonly callerRoles: HeldRoles;
  /** The roles the user holds instance-wide (the privilege order compares them with the caller's). */
  readonly targetInstanceRoles: readonly string[];
  readonly factorPolicy?: StoredFactorPolicy;
  /** The user's second factors (auth_factors' types), oldest first: what a factor command checks before it writes. */
  readonly factorTypes: readonly string[];
}

interface UserWithAccessRow extends UserRow {
  caller_instance_roles: string[] | null;
  caller_organization_roles: string[] | null;
  target_instance_roles: string[] | null;
  policy_force_mfa: boolean | null;
  policy_max_auth_age_seconds: number | null;
  factor_types: string[] | null;
}

// Named, not `u.*`: the statement is prepared, and a prepared statement whose result columns change (a migration adding
// a column to users while the service runs) fails on every connection that prepared it ("cached plan must not change result type").
const USER_COLUMNS = [
  'id',
  'organization_id',
  'username',
  'state',
  'given_name',
  'family_name',
  'email',
  'email_verified',
  'phone',
  'phone_verified',
  'created_at',
]
  .map((column) => `u.${column}`)
  .join(', ');

// Raw: one round trip on every command and read of a user (user, stream, memberships, policy), which TypeORM cannot join without relations.
// The user, with sequence and change time from its event stream (advanced by every command), plus, in the same
// round trip, the caller's memberships, the organization's factor policy and the user's factors. All read with the statement's
// snapshot, the one the user row is found (and, with FOR UPDATE, locked) in.
function selectUserWithAccess(user: string, caller: string, instance: string, alongside?: string): string {
  return `
  SELECT ${alongside ? 'alongside.*, ' : ''}${USER_COLUMNS}, s.sequence, COALESCE(s.changed_at, u.created_at) AS changed_at,
    (SELECT m.roles FROM memberships m WHERE m.user_id = ${caller} AND m.scope = ${instance}) AS caller_instance_roles,
    (SELECT m.roles FROM memberships m WHERE m.user_id = ${caller} AND m.scope = u.organization_id) AS caller_organization_roles,
    (SELECT m.roles FROM memberships m WHERE m.user_id = u.id AND m.scope = ${instance}) AS target_instance_roles,
    p.force_mfa AS policy_force_mfa, p.factor_change_max_auth_age_seconds AS policy_max_auth_age_seconds,
    (SELECT array_agg(f.type ORDER BY f.created_at, f.type) FROM auth_factors f WHERE f.user_id = u.id) AS factor_types
  FROM ${alongside ? `(SELECT ${alongside}) alongside LEFT JOIN users u ON u.id = ${user}` : 'users u'}
  LEFT JOIN event_streams s ON s.aggregate_id = u.id
  LEFT JOIN organization_factor_policies p ON p.organization_id = u.organization_id
  ${alongside ? '' : `WHERE u.id = ${user}`}`;
}

const SELECT_USER_WITH_ACCESS = selectUserWithAccess('$1', '$2', '$3');

function toUserWithAccess(row: UserWithAccessRow): UserWithAccess {
  return {
    user: toRecord(row),
    callerRoles: { instance: row.caller_instance_roles ?? [], organization: row.caller_organization_roles ?? [] },
    targetInstanceRoles: row.target_instance_roles ?? [],
    factorPolicy:
      row.policy_force_mfa === null
        ? undefined
        : { forceMfa: row.policy_force_mfa, factorChangeMaxAuthAgeSeconds: row.policy_max_auth_age_seconds ?? undefined },
    factorTypes: row.factor_types ?? [],
  };
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    username: row.username,
    state: row.state,
    givenName: row.given_name,
    familyName: row.family_name,
    email: row.email,
    emailVerified: row.email_verified,
    phone: row.phone,
    phoneVerified: row.phone_verified,
    createdAt: row.created_at,
    changedAt: row.changed_at,
    sequence: Number(row.sequence ?? 0),
  };
}

export interface NewUser {
  readonly id: string;
  readonly organizationId: string;
  readonly username: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly phone: string | null;
  readonly phoneVerified: boolean;
}

/** The channel on which PostgreSQL tells every instance, at commit, the id of a user who left the active state. */
export const USER_LEFT_ACTIVE_CHANNEL = 'auth_factors_user_left_active';

/** The users read model. */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The user with the caller's roles and the organization's factor policy, in one statement; or undefined.
   * Raw and prepared: the first of a factor command's two statements.
   */
  async findWithAccess(tx: Transaction, id: string, callerId: string): Promise<UserWithAccess | undefined> {
    const rows = await tx.prepared<UserWithAccessRow>(SELECT_USER_WITH_ACCESS, [id, callerId, INSTANCE_SCOPE]);
    return rows[0] && toUserWithAccess(rows[0]);
  }

  /**
   * {@link findWithAccess} with another module's work in the same round trip (`alongside`: its CTEs and result
   * columns, say a rate-limit hit): its row comes back whether the user exists or not.
   */
  async findWithAccessAlongside(
    tx: Transaction,
    id: string,
    callerId: string,
    alongside: { readonly before: SqlFragment; readonly columns: SqlFragment },
  ): Promise<{ found?: UserWithAccess; row: Record<string, unknown> }> {
    const { text, values } = composeStatement((param) => {
      const ctes = alongside.before(param);
      // From one row that always exists: the other module's answer comes back for a user who does not.
      return `WITH ${ctes} ${selectUserWithAccess(param(id), param(callerId), param(INSTANCE_SCOPE), alongside.columns(param))}`;
    });
    const [row] = await tx.prepared<UserWithAccessRow & Record<string, unknown>>(text, values);
    return { found: row.id === null ? undefined : toUserWithAccess(row), row };
  }

  /**
   * The CTE `held` of a write statement on the user (see EventStore.appendIfAt): the user's row, locked until the
   * end, as every command on a user locks it first; none if the user is gone.
   */
  holdFragment(id: string): SqlFragment {
    return (param) => `held AS (SELECT 1 FROM users WHERE id = ${param(id)} FOR UPDATE)`;
  }

  /**
   * The user, locked until the transaction ends (the start of every command on a user), with the caller's
   * roles and the organization's factor policy, in one statement. The lock is the user row's only.
   */
  async lockWithAccess(tx: Transaction, id: string, callerId: string): Promise<UserWithAccess | undefined> {
    const rows = await tx.prepared<UserWithAccessRow>(`${SELECT_USER_WITH_ACCESS} FOR UPDATE OF u`, [id, callerId, INSTANCE_SCOPE]);
    return rows[0] && toUserWithAccess(rows[0]);
  }

  /**
   * The user's current sequence, read by its own statement: after {@link lockWithAccess} waited for
   * another writer, that row's joined sequence is the one from before the wait (PostgreSQL
   * re-reads only the locked table's row), while this one sees the other writer's commit.
   */
  async currentSequence(tx: Transaction, id: string): Promise<number> {
    // Raw: hot path of every factor command; its SQL changes only together with a bench run (bench/).
    const rows: { sequence: string }[] = await tx.manager.query('SELECT sequence FROM event_streams WHERE aggregate_id = $1', [id]);
    return Number(rows[0]?.sequence ?? 0);
  }

  /** Whether the user exists and is active. */
  async isActive(id: string): Promise<boolean> {
    // Raw: hot path of every request (the guard's active-user check); its SQL changes only together with a bench run (bench/).
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM users WHERE id = $1 AND state = 'active'`, [id]);
    return rows.length > 0;
  }

  /** The id of the user with this username in the organization. */
  async findIdByUsername(tx: Transaction, organizationId: string, username: string): Promise<string | undefined> {
    const user = await tx.manager.findOne(UserEntity, { select: { id: true }, where: { organizationId, username } });
    return user?.id;
  }

  /** Stores a new user; a taken id or username, or the id of a deleted user, is reported as already existing. */
  async insert(tx: Transaction, user: NewUser): Promise<void> {
    await this.insertRow(tx, user);
    // Looked for after the insert, in a statement of its own: a deletion of this id committing meanwhile made
    // the insert wait on the row's key, and this statement's snapshot then sees the deletion's tombstone.
    if (await tx.manager.exists(DeletedUserEntity, { where: { id: user.id } })) {
      throw new AlreadyExistsError('AUTHF-USER-409-DELETED', 'This user id belonged to a deleted user and cannot be taken again');
    }
  }

  private async insertRow(tx: Transaction, user: NewUser): Promise<void> {
    try {
      // The database's clock, as for every other creation time.
      await tx.manager.insert(UserEntity, {
        id: user.id,
        organizationId: user.organizationId,
        username: user.username,
        givenName: user.givenName,
        familyName: user.familyName,
        email: user.email,
        emailVerified: user.emailVerified,
        phone: user.phone,
        phoneVerified: user.phoneVerified,
        createdAt: () => 'now()',
      });
    } catch (error) {
      const failure = (error as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (failure?.code === '23503') throw new NotFoundError('AUTHF-ORG-404', 'Organization not found');
      if (failure?.code === '23505') {
        throw failure.constraint === 'users_username_per_organization'
          ? new AlreadyExistsError('AUTHF-USER-409-NAME', 'The username is already taken in this organization')
          : new AlreadyExistsError('AUTHF-USER-409-ID', 'A user with this id already exists (ids are unique across the instance)');
      }
      throw error;
    }
  }

  async setPhone(tx: Transaction, id: string, phone: string | null, verified: boolean): Promise<void> {
    await tx.manager.update(UserEntity, { id }, { phone, phoneVerified: verified });
  }

  async setEmail(tx: Transaction, id: string, email: string, verified: boolean): Promise<void> {
    await tx.manager.update(UserEntity, { id }, { email, emailVerified: verified });
  }
}

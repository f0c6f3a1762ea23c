import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, Injectable, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Caller } from '@app/auth';
import { loadConfig } from '@app/config';
import { Transaction, TransactionRunner } from '@app/database';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { AuthFactorType } from '../src/auth-factors/auth-factor.kind';
import { AuthFactorsModule } from '../src/auth-factors/auth-factors.module';
import { AuthFactorsService } from '../src/auth-factors/auth-factors.service';
import { BootstrapService, Bootstrapped } from '../src/bootstrap/bootstrap.service';
import { ObjectDetails } from '../src/common/object-details.mapper';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { UsersService } from '../src/users/users.service';
import { storedEvents, storedFactorTypes, streamSequence } from './support/fixtures';
import { createTestDatabase } from './support/test-postgres';

const OTP_SMS_REMOVED = 'user.human.otp.sms.removed';
const OTP_EMAIL_REMOVED = 'user.human.otp.email.removed';

/**
 * Another module's use case, composed with AuthFactorsService in one transaction:
 * remove a user's OTP factor(s), then record the clean-up in its own table.
 */
@Injectable()
class FactorCleanup {
  constructor(
    private readonly factors: AuthFactorsService,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Removes OTP SMS, then runs `then` in the same transaction; all or nothing. */
  removeOtpSmsThen(caller: Caller, userId: string, then: (tx: Transaction) => Promise<void>): Promise<ObjectDetails> {
    return this.transactions.run(async (tx) => {
      const details = await this.factors.removeOtpSms(caller, userId, { transaction: tx });
      await then(tx);
      return details;
    });
  }

  /** Removes OTP SMS and records why (the module's own write). */
  removeOtpSmsAndRecord(caller: Caller, userId: string, reason: string): Promise<ObjectDetails> {
    return this.removeOtpSmsThen(caller, userId, (tx) => this.record(tx, userId, reason));
  }

  /** Removes both OTP factors and records why, in one transaction. */
  removeAllAndRecord(caller: Caller, userId: string, reason: string): Promise<ObjectDetails[]> {
    return this.transactions.run(async (tx) => {
      const details = [
        await this.factors.removeOtpSms(caller, userId, { transaction: tx }),
        await this.factors.removeOtpEmail(caller, userId, { transaction: tx }),
      ];
      await this.record(tx, userId, reason);
      return details;
    });
  }

  private async record(tx: Transaction, userId: string, reason: string): Promise<void> {
    // Raw: this module's own table, created by the test (the service has no entity for it).
    await tx.manager.query('INSERT INTO factor_cleanups (user_id, reason) VALUES ($1, $2)', [userId, reason]);
  }
}

/**
 * A sign-in module's second step, on AuthFactorsService's code engine: it starts an OTP SMS challenge and checks
 * the code in its own transactions, next to its own table of sign-in attempts.
 */
@Injectable()
class OtpSignIn {
  constructor(
    private readonly factors: AuthFactorsService,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Issues the code (returned: this module delivers it) and opens the attempt, all or nothing. */
  start(userId: string, then: (tx: Transaction) => Promise<void> = async () => undefined): Promise<string> {
    return this.transactions.run(async (tx) => {
      const { code } = await this.factors.challengeOtpSms(userId, { transaction: tx, returnCode: true });
      // Raw: this module's own table, created by the test (the service has no entity for it); so below.
      await tx.manager.query(`INSERT INTO sign_in_attempts (user_id, outcome) VALUES ($1, 'started')`, [userId]);
      await then(tx);
      return code!;
    });
  }

  /**
   * Checks the code (in the engine's own transaction, so that a wrong one counts whatever happens here), then records
   * the outcome in this module's table.
   */
  async finish(userId: string, code: string, then: (tx: Transaction) => Promise<void> = async () => undefined): Promise<string> {
    let outcome = 'signed-in';
    try {
      await this.factors.checkOtpSms(userId, code);
    } catch (error) {
      outcome = (error as { id?: string }).id ?? 'unknown';
    }
    await this.transactions.run(async (tx) => {
      await tx.manager.query('INSERT INTO sign_in_attempts (user_id, outcome) VALUES ($1, $2)', [userId, outcome]);
      await then(tx);
    });
    return outcome;
  }
}

@Module({ imports: [AuthFactorsModule], providers: [FactorCleanup, OtpSignIn] })
class FactorCleanupModule {}

/** What the database holds for a user: the read model, the events, the stream counter, the clean-up records. */
interface Stored {
  readonly factors: AuthFactorType[];
  readonly events: { sequence: number; type: string; creator: string; requestId: string | null }[];
  readonly streamSequence: number;
  readonly cleanups: string[];
}

describe('AuthFactorsService composed by another Nest module in one transaction', () => {
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let cleanup: FactorCleanup;
  let factors: AuthFactorsService;
  let bootstrapped: Bootstrapped;
  let organizationId: string;
  let userCounter = 0;

  const callerFor = (label: string): Caller => ({ userId: bootstrapped.adminId, requestId: `composition-${label}-${randomUUID()}` });

  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: await createTestDatabase(),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-factors-composition-')),
      LOG_LEVEL: 'fatal',
    });
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config), FactorCleanupModule] })
      .setLogger(new ConsoleLogger({ logLevels: ['fatal'] }))
      .compile();
    await moduleRef.init();
    bootstrapped = await moduleRef.get(BootstrapService).run();
    dataSource = moduleRef.get(DataSource);
    cleanup = moduleRef.get(FactorCleanup);
    factors = moduleRef.get(AuthFactorsService);
    // Raw: these two tables belong to the composing modules of this test, not to the service: no entity, no migration.
    await dataSource.query(`CREATE TABLE factor_cleanups (
      user_id text PRIMARY KEY REFERENCES users (id),
      reason  text NOT NULL CHECK (char_length(reason) > 0)
    )`);
    await dataSource.query(`CREATE TABLE sign_in_attempts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id text NOT NULL, outcome text NOT NULL)`);
    ({ organizationId } = await moduleRef.get(OrganizationsService).create(callerFor('setup'), 'composition'));
  });
  afterAll(() => moduleRef?.close());

  /** A user with a verified phone and e-mail address and both OTP factors. */
  async function userWithBothFactors(): Promise<string> {
    const n = ++userCounter;
    const { userId } = await moduleRef.get(UsersService).addHuman(callerFor('setup'), {
      organizationId,
      username: `composition-${n}`,
      givenName: 'Composition',
      familyName: `User ${n}`,
      phone: { phone: `+4176${String(1000000 + n).slice(-7)}`, isVerified: true },
      email: { email: `composition${n}@example.com`, isVerified: true },
    });
    await factors.addOtpSms(callerFor('setup'), userId);
    await factors.addOtpEmail(callerFor('setup'), userId);
    return userId;
  }

  async function stored(userId: string): Promise<Stored> {
    const events = await storedEvents({ dataSource }, userId);
    const cleanupRows: { reason: string }[] = await dataSource.query('SELECT reason FROM factor_cleanups WHERE user_id = $1', [userId]);
    return {
      factors: (await storedFactorTypes({ dataSource }, userId)) as AuthFactorType[],
      events: events.map((event) => ({ sequence: Number(event.sequence), type: event.type, creator: event.creator, requestId: event.requestId })),
      streamSequence: await streamSequence({ dataSource }, userId),
      cleanups: cleanupRows.map((row) => row.reason),
    };
  }

  interface Failure {
    readonly name: string;
    /** Puts the user in the state the failure needs (before the snapshot). */
    prepare?(userId: string): Promise<void>;
    /** Runs the failing composition. */
    run(userId: string): Promise<unknown>;
    /** What the rejection looks like. */
    readonly rejection: object;
  }

  const FAILURES: readonly Failure[] = [
    {
      name: 'its own INSERT violates a CHECK constraint',
      run: (userId) => cleanup.removeOtpSmsAndRecord(callerFor('check'), userId, ''),
      rejection: { driverError: expect.objectContaining({ code: '23514' }) },
    },
    {
      name: 'its own INSERT violates a primary key',
      prepare: async (userId) => {
        await dataSource.query(`INSERT INTO factor_cleanups (user_id, reason) VALUES ($1, 'earlier')`, [userId]);
      },
      run: (userId) => cleanup.removeOtpSmsAndRecord(callerFor('duplicate'), userId, 'again'),
      rejection: { driverError: expect.objectContaining({ code: '23505' }) },
    },
    {
      name: 'it throws after the removal',
      run: (userId) =>
        cleanup.removeOtpSmsThen(callerFor('throw'), userId, async () => {
          throw new Error('clean-up refused');
        }),
      rejection: { message: 'clean-up refused' },
    },
  ];

  it.each(FAILURES.map((f) => [f.name, f] as const))('rolls the OTP SMS removal back when the composing module fails after it: %s', async (_name, failure) => {
    const userId = await userWithBothFactors();
    await failure.prepare?.(userId);
    const before = await stored(userId);
    await expect(failure.run(userId)).rejects.toMatchObject(failure.rejection);
    const after = await stored(userId);
    expect(after.factors).toEqual(['otp_email', 'otp_sms']);
    expect(after.events).toEqual(before.events);
    expect(after.events.map((e) => e.type)).not.toContain(OTP_SMS_REMOVED);
    expect(after.streamSequence).toBe(before.streamSequence);
    expect(after.cleanups).toEqual(before.cleanups);
    // Nothing half-done was left behind: the next removal numbers on without a gap.
    const next = await factors.removeOtpSms(callerFor('next'), userId);
    expect(next.sequence).toBe(before.streamSequence + 1);
  });

  it('commits both the OTP SMS removal and the composing module’s own write when both succeed', async () => {
    const userId = await userWithBothFactors();
    const before = await stored(userId);
    const caller = callerFor('commit');
    const details = await cleanup.removeOtpSmsAndRecord(caller, userId, 'lost phone');
    expect(details).toMatchObject({ sequence: before.streamSequence + 1, resourceOwner: organizationId });
    const after = await stored(userId);
    expect(after.factors).toEqual(['otp_email']);
    expect(after.cleanups).toEqual(['lost phone']);
    expect(after.streamSequence).toBe(before.streamSequence + 1);
    expect(after.events).toEqual([
      ...before.events,
      { sequence: before.streamSequence + 1, type: OTP_SMS_REMOVED, creator: caller.userId, requestId: caller.requestId },
    ]);
  });

  it('takes the transaction and the protections in one options object: a stale If-Match refuses inside the joined transaction, an Idempotency-Key replays', async () => {
    const userId = await userWithBothFactors();
    const before = await stored(userId);
    const transactions = moduleRef.get(TransactionRunner);
    const caller = callerFor('options');
    const stale = `"${before.streamSequence - 1}"`;
    await expect(transactions.run((tx) => factors.removeOtpSms(caller, userId, { transaction: tx, ifMatch: stale }))).rejects.toMatchObject({
      id: 'AUTHF-IFMATCH-409',
    });
    expect(await stored(userId)).toEqual(before);
    const options = { ifMatch: `"${before.streamSequence}"`, idempotencyKey: `composition-${randomUUID()}` };
    const first = await transactions.run((tx) => factors.removeOtpSms(caller, userId, { ...options, transaction: tx }));
    expect(first.sequence).toBe(before.streamSequence + 1);
    // The same key again, outside any transaction: the first answer, not a second removal (nor a 404).
    expect((await factors.removeOtpSms(caller, userId, options)).sequence).toBe(first.sequence);
    const after = await stored(userId);
    expect(after.factors).toEqual(['otp_email']);
    expect(after.events).toHaveLength(before.events.length + 1);
  });

  it('rolls back both removals when two are composed and the module’s own write then fails', async () => {
    const userId = await userWithBothFactors();
    const before = await stored(userId);
    await expect(cleanup.removeAllAndRecord(callerFor('all-fail'), userId, '')).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23514' }),
    });
    expect(await stored(userId)).toEqual(before);
    expect(before.factors).toEqual(['otp_email', 'otp_sms']);
  });

  it('commits two composed removals and the module’s own write together, with consecutive sequences and one request id', async () => {
    const passing = await userWithBothFactors();
    const passingBefore = await stored(passing);
    const caller = callerFor('all');
    const details = await cleanup.removeAllAndRecord(caller, passing, 'account reset');
    expect(details.map((d) => d.sequence)).toEqual([passingBefore.streamSequence + 1, passingBefore.streamSequence + 2]);
    const after = await stored(passing);
    expect(after.factors).toEqual([]);
    expect(after.cleanups).toEqual(['account reset']);
    expect(after.events.slice(passingBefore.events.length)).toEqual([
      { sequence: passingBefore.streamSequence + 1, type: OTP_SMS_REMOVED, creator: caller.userId, requestId: caller.requestId },
      { sequence: passingBefore.streamSequence + 2, type: OTP_EMAIL_REMOVED, creator: caller.userId, requestId: caller.requestId },
    ]);
  });

  describe('a sign-in module using the OTP SMS code engine in its own transactions', () => {
    const attemptsOf = async (userId: string) =>
      (await dataSource.query<{ outcome: string }[]>('SELECT outcome FROM sign_in_attempts WHERE user_id = $1 ORDER BY id', [userId])).map((r) => r.outcome);

    it('challenges, counts a wrong code in its committed transaction, accepts the right one once', async () => {
      const userId = await userWithBothFactors();
      const signIn = moduleRef.get(OtpSignIn);
      const code = await signIn.start(userId);
      expect(code).toMatch(/^\d{8}$/);
      const wrong = code === '00000000' ? '11111111' : '00000000';
      expect(await signIn.finish(userId, wrong)).toBe('AUTHF-SMS-CODE-INVALID');
      expect(await signIn.finish(userId, code)).toBe('signed-in');
      expect(await signIn.finish(userId, code)).toBe('AUTHF-SMS-CODE-NONE'); // single use
      expect(await attemptsOf(userId)).toEqual(['started', 'AUTHF-SMS-CODE-INVALID', 'signed-in', 'AUTHF-SMS-CODE-NONE']);
      const types = (await stored(userId)).events.map((e) => e.type).slice(-3);
      expect(types).toEqual(['user.human.otp.sms.code.added', 'user.human.otp.sms.check.failed', 'user.human.otp.sms.check.succeeded']);
    });

    it('counts a wrong code even when the module’s own transaction then fails', async () => {
      const userId = await userWithBothFactors();
      const signIn = moduleRef.get(OtpSignIn);
      const code = await signIn.start(userId);
      const wrong = code === '00000000' ? '11111111' : '00000000';
      for (let attempt = 1; attempt <= 5; attempt++) {
        await expect(
          signIn.finish(userId, wrong, async () => {
            throw new Error('the module fails');
          }),
        ).rejects.toThrow('the module fails');
      }
      expect(await signIn.finish(userId, code)).toBe('AUTHF-SMS-CODE-LOCKED');
    });

    it('leaves no code and no event when its own transaction fails after the challenge', async () => {
      const userId = await userWithBothFactors();
      const before = await stored(userId);
      await expect(
        moduleRef.get(OtpSignIn).start(userId, async () => {
          throw new Error('sign-in refused');
        }),
      ).rejects.toThrow('sign-in refused');
      expect(await stored(userId)).toEqual(before);
      expect(await moduleRef.get(OtpSignIn).finish(userId, '12345678')).toBe('AUTHF-SMS-CODE-NONE');
    });
  });
});

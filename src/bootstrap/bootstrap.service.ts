import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@app/config';
import type { AppConfig } from '@app/config';
import { systemCaller } from '@app/auth';
import { Transaction, TransactionRunner } from '@app/database';
import { AUTH_FACTOR_KINDS } from '../auth-factors/auth-factor.kind';
import { AuthFactorsService } from '../auth-factors/auth-factors.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { Role } from '../permissions/permission';
import { UsersService } from '../users/users.service';
import { BootstrapRepository } from './bootstrap.repository';

export const DEFAULT_ORGANIZATION = 'DEFAULT';
export const ADMIN_USERNAME = 'admin';
export const DEMO_USERNAME = 'demo';

/** Who the instance starts with. */
export interface Bootstrapped {
  readonly organizationId: string;
  readonly adminId: string;
  readonly demoId?: string;
  /** The demo user's second factors as they are now ("OTP SMS", "OTP Email"), for the start log. */
  readonly demoFactors?: readonly string[];
}

/**
 * Gives an empty database its default organization and instance administrator
 * (and, for trying the API, a demo user with both OTP factors), exactly once
 * even when several instances start together.
 */
@Injectable()
export class BootstrapService {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: TransactionRunner,
    private readonly bootstrap: BootstrapRepository,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly factors: AuthFactorsService,
  ) {}

  /** Creates what is missing; returns who exists. */
  run(): Promise<Bootstrapped> {
    return this.transactions.run(async (tx) => {
      await this.bootstrap.lock(tx);
      const adminId = await this.bootstrap.findAdministratorId(tx, ADMIN_USERNAME);
      if (adminId) {
        const organizationId = (await this.organizations.findIdByName(tx, DEFAULT_ORGANIZATION))!;
        const demoId = await this.users.findIdByUsername(tx, organizationId, DEMO_USERNAME);
        if (!demoId) return { organizationId, adminId };
        const { factors } = await this.factors.listWithSequence(systemCaller('bootstrap'), demoId, { transaction: tx });
        const demoFactors = AUTH_FACTOR_KINDS.filter((kind) => factors.some((factor) => factor.type === kind.type)).map((kind) => kind.label);
        return { organizationId, adminId, demoId, demoFactors };
      }
      return this.createInstance(tx);
    });
  }

  private async createInstance(tx: Transaction): Promise<Bootstrapped> {
    const system = systemCaller('bootstrap');
    const { organizationId } = await this.organizations.create(system, DEFAULT_ORGANIZATION, [], { transaction: tx });
    const { userId: adminId } = await this.users.addHuman(
      system,
      { userId: this.config.adminUserId, organizationId, username: ADMIN_USERNAME, givenName: 'Instance', familyName: 'Administrator' },
      { transaction: tx },
    );
    await this.organizations.grantInstanceRoles(tx, adminId, [Role.IamOwner]);
    await this.organizations.addMember(system, organizationId, { userId: adminId, roles: [Role.OrgOwner] }, { transaction: tx });
    this.logger.log(`Created the default organization ${organizationId} and the instance administrator ${adminId} (username "${ADMIN_USERNAME}")`);
    if (!this.config.seedDemoUser) return { organizationId, adminId };
    const { userId: demoId } = await this.users.addHuman(
      system,
      {
        organizationId,
        username: DEMO_USERNAME,
        givenName: 'Demo',
        familyName: 'User',
        email: { email: 'demo@example.com', isVerified: true },
        phone: { phone: '+41791234567', isVerified: true },
      },
      { transaction: tx },
    );
    await this.factors.addOtpSms(system, demoId, { transaction: tx });
    await this.factors.addOtpEmail(system, demoId, { transaction: tx });
    this.logger.log(`Created the demo user ${demoId} (username "${DEMO_USERNAME}") with OTP SMS and OTP Email`);
    return { organizationId, adminId, demoId, demoFactors: AUTH_FACTOR_KINDS.map((kind) => kind.label) };
  }
}

import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PermissionsModule } from '../permissions/permissions.module';
import { FactorPolicyController } from './factor-policy.controller';
import { FactorPolicyRepository } from './factor-policy.repository';
import { FactorPolicyService } from './factor-policy.service';

/** Organizations' factor policies; the factor commands read them inside their transactions. */
@Module({
  imports: [OrganizationsModule, PermissionsModule],
  controllers: [FactorPolicyController],
  providers: [FactorPolicyRepository, FactorPolicyService],
  exports: [FactorPolicyService],
})
export class FactorPolicyModule {}

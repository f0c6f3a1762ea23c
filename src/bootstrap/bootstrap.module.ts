import { Module } from '@nestjs/common';
import { AuthFactorsModule } from '../auth-factors/auth-factors.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { UsersModule } from '../users/users.module';
import { BootstrapRepository } from './bootstrap.repository';
import { BootstrapService } from './bootstrap.service';

@Module({
  imports: [UsersModule, OrganizationsModule, AuthFactorsModule],
  providers: [BootstrapRepository, BootstrapService],
  exports: [BootstrapService],
})
export class BootstrapModule {}

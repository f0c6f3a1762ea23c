import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { OrganizationEventWriter } from './organization-event.writer';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

@Module({
  imports: [UsersModule],
  controllers: [OrganizationsController],
  providers: [OrganizationsRepository, OrganizationsService, OrganizationEventWriter],
  exports: [OrganizationsService, OrganizationEventWriter],
})
export class OrganizationsModule {}

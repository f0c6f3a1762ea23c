import { Module } from '@nestjs/common';
import { MembershipsRepository } from './memberships.repository';
import { PermissionsService } from './permissions.service';

@Module({
  providers: [MembershipsRepository, PermissionsService],
  exports: [PermissionsService],
})
export class PermissionsModule {}

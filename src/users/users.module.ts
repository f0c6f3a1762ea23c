import { Module } from '@nestjs/common';
import { PermissionsModule } from '../permissions/permissions.module';
import { ActiveUserValidator } from './active-user.validator';
import { UserAccessService } from './user-access.service';
import { UserChannelHooks } from './user-channel.hooks';
import { UserChannelWriter } from './user-channel.writer';
import { UserEventWriter } from './user-event.writer';
import { UserLifecycleController } from './user-lifecycle.controller';
import { UserLifecycleRepository } from './user-lifecycle.repository';
import { UserLifecycleService } from './user-lifecycle.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Human users: provisioning, contact channels, and the access checks other modules build on. */
@Module({
  imports: [PermissionsModule],
  controllers: [UsersController, UserLifecycleController],
  providers: [
    UsersRepository,
    UsersService,
    UserAccessService,
    UserEventWriter,
    UserChannelHooks,
    UserChannelWriter,
    ActiveUserValidator,
    // The lifecycle: delete, deactivate, lock.
    UserLifecycleRepository,
    UserLifecycleService,
  ],
  exports: [
    UsersService,
    UserAccessService,
    UserEventWriter,
    UserChannelHooks,
    UserChannelWriter,
    ActiveUserValidator,
    PermissionsModule,
    UserLifecycleService,
  ],
})
export class UsersModule {}

import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { MyUserChangesController } from './my-user-changes.controller';
import { UserChangesController } from './user-changes.controller';
import { UserChangesRepository } from './user-changes.repository';
import { UserChangesService } from './user-changes.service';

/** Users' change histories, read from their event streams. */
@Module({
  imports: [UsersModule],
  controllers: [MyUserChangesController, UserChangesController],
  providers: [UserChangesRepository, UserChangesService],
})
export class ChangesModule {}

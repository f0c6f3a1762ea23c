import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { AuthModule } from '@app/auth';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { ErrorsModule } from '@app/errors';
import { EventstoreModule } from '@app/eventstore';
import { IdsModule } from '@app/ids';
import { AuthFactorsModule } from './auth-factors/auth-factors.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { MIGRATIONS } from './migrations';
import { OrganizationsModule } from './organizations/organizations.module';
import { ActiveUserValidator } from './users/active-user.validator';
import { UsersModule } from './users/users.module';

/** The whole service; its global filter, pipe and guard are providers, so tests run the same pipeline. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ErrorsModule,
        IdsModule,
        DatabaseModule.forRoot({ entities: [], migrations: MIGRATIONS }),
        EventstoreModule,
        AuthModule.forRoot({ imports: [UsersModule], principalValidator: ActiveUserValidator }),
        UsersModule,
        OrganizationsModule,
        AuthFactorsModule,
        BootstrapModule,
      ],
      providers: [
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
        },
      ],
    };
  }
}

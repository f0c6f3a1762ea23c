import { DynamicModule, Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { AuthModule } from '@app/auth';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { ErrorsModule } from '@app/errors';
import { EventstoreModule } from '@app/eventstore';
import { IdsModule } from '@app/ids';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthFactorsModule } from './auth-factors/auth-factors.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { ChangesModule } from './changes/changes.module';
import { ChannelsModule } from './channels/channels.module';
import { createValidationPipe } from './common/validation';
import { GrpcModule } from './grpc/grpc.module';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { ObservabilityModule } from './observability/observability.module';
import { createRootLogger } from './observability/root-logger.factory';
import { OrganizationsModule } from './organizations/organizations.module';
import { OutboxModule } from './outbox/outbox.module';
import { ActiveUserValidator } from './users/active-user.validator';
import { UsersModule } from './users/users.module';

export interface AppModuleOptions {
  /** The logger Fastify was given (see createApp); by default one built from the configuration. */
  readonly logger?: Logger;
}

/** The whole service; its global filter, pipe and guard are providers, so tests run the same pipeline. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(options.logger ?? createRootLogger(config)),
        ErrorsModule,
        IdsModule,
        DatabaseModule.forRoot({ entities: ENTITIES, migrations: MIGRATIONS }),
        EventstoreModule,
        AuthModule.forRoot({ imports: [UsersModule], principalValidator: ActiveUserValidator }),
        UsersModule,
        OrganizationsModule,
        AuthFactorsModule,
        ChannelsModule,
        ChangesModule,
        AuditModule,
        OutboxModule,
        GrpcModule,
        BootstrapModule,
      ],
      providers: [{ provide: APP_PIPE, useValue: createValidationPipe() }],
    };
  }
}

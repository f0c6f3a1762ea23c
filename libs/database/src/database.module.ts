import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { describeConnectionFailure } from './connection-failure';
import { createDataSource } from './data-source.factory';
import { EmbeddedPostgresServer } from './embedded-postgres.server';
import { runMigrations } from './migration.runner';
import { TransactionRunner } from './transaction.runner';

export interface DatabaseModuleOptions {
  readonly entities: Function[];
  readonly migrations: Function[];
}

/** Where the database is: an external server (`DATABASE_URL`) or the embedded one. */
export class DatabaseServer {
  constructor(
    readonly url: string,
    readonly embedded?: EmbeddedPostgresServer,
  ) {}
}

class DatabaseLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DatabaseServer) private readonly server: DatabaseServer,
  ) {}

  /** Closes the pool first, then stops the embedded server if this process started it. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.server.embedded?.owned) {
      await this.server.embedded.stop();
      this.logger.log('Embedded PostgreSQL stopped');
    }
  }
}

/** The database: connection, migrations at start, transactions, clean shutdown. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DatabaseServer,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => {
            if (config.databaseUrl) return new DatabaseServer(config.databaseUrl);
            const logger = new Logger('EmbeddedPostgres');
            const embedded = new EmbeddedPostgresServer({
              dataDir: config.dataDir,
              port: config.embeddedPostgresPort,
              log: (line) => logger.debug(line),
              notice: (line) => logger.log(line),
              whenInUse: 'refuse',
            });
            const url = await embedded.start();
            logger.log(`Started the embedded PostgreSQL in ${embedded.clusterDir} on port ${new URL(url).port}`);
            return new DatabaseServer(url, embedded);
          },
        },
        {
          provide: DataSource,
          inject: [APP_CONFIG, DatabaseServer],
          useFactory: async (config: AppConfig, server: DatabaseServer) => {
            const dataSource = createDataSource({ url: server.url, ...options, ...config.database });
            try {
              const connecting = Date.now();
              await dataSource.initialize().catch((error: unknown) => {
                const source = server.embedded ? `the embedded PostgreSQL in ${server.embedded.clusterDir}` : 'DATABASE_URL';
                throw describeConnectionFailure(error, {
                  url: server.url,
                  source,
                  connectTimeoutMs: config.database.connectTimeoutMs,
                  elapsedMs: Date.now() - connecting,
                });
              });
              if (config.runMigrations) {
                const applied = await runMigrations(dataSource);
                if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
              }
            } catch (error) {
              if (dataSource.isInitialized) await dataSource.destroy();
              if (server.embedded?.owned) await server.embedded.stop();
              throw error;
            }
            return dataSource;
          },
        },
        DatabaseLifecycle,
        TransactionRunner,
      ],
      exports: [DataSource, DatabaseServer, TransactionRunner],
    };
  }
}

import { DataSource } from 'typeorm';

export interface DataSourceSettings {
  readonly url: string;
  readonly entities: Function[];
  readonly migrations: Function[];
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/**
 * A TypeORM data source whose every wait is bounded: connecting, each statement,
 * and a transaction left idle. An unreachable database fails fast instead of hanging.
 */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: settings.poolSize,
    connectTimeoutMS: settings.connectTimeoutMs,
    applicationName: 'auth-factors',
    extra: {
      connectionTimeoutMillis: settings.connectTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      lock_timeout: settings.statementTimeoutMs,
      idle_in_transaction_session_timeout: settings.statementTimeoutMs * 2,
      // Every session's transactions are READ COMMITTED, set once at connect: the transaction runner
      // then opens them with a bare START TRANSACTION, one round trip instead of two.
      options: '-c default_transaction_isolation=read\\ committed',
      query_timeout: settings.statementTimeoutMs + 1000,
      keepAlive: true,
    },
  });
}

export * from './transaction';
export * from './transaction.runner';
export * from './migration.runner';
export * from './data-source.factory';
export * from './embedded-postgres.server';
export * from './database.module';
export * from './connection-failure';
export * from './sql-statement';

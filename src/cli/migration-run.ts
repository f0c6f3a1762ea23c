import { loadConfig } from '@app/config';
import { createDataSource, EmbeddedPostgresServer, runMigrations } from '@app/database';
import { MIGRATIONS } from '../migrations';

/** Applies pending migrations to the configured database, then exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : new EmbeddedPostgresServer({ dataDir: config.dataDir, port: config.embeddedPostgresPort, whenInUse: 'join' });
  const url = config.databaseUrl ?? (await embedded!.start());
  const dataSource = createDataSource({ url, entities: [], migrations: MIGRATIONS, ...config.database });
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The schema is up to date.');
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`migration:run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

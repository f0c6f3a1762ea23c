import { DataSource } from 'typeorm';

// Any constant both instances agree on: serializes migration runs across processes.
const MIGRATION_LOCK_KEY = 7_421_337_001;

/** Applies pending migrations; safe when several instances start at once. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    // Raw: a session advisory lock, which TypeORM has no API for (the unlock below too).
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

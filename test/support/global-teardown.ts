// Relative: jest's global setup does not apply the path aliases.
import { EmbeddedPostgresServer } from '../../libs/database/src/embedded-postgres.server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __testPostgres?: EmbeddedPostgresServer }).__testPostgres?.stop();
}

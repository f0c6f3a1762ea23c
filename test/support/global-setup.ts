import { startTestPostgres } from './test-postgres';

/** Starts the one PostgreSQL server the test files share (each gets its own database). */
export default async function globalSetup(): Promise<void> {
  const { server, url } = await startTestPostgres();
  (globalThis as { __testPostgres?: unknown }).__testPostgres = server;
  process.env.AUTH_FACTORS_TEST_PG_URL = url;
}

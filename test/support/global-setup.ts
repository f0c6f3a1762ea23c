import { startTestPostgres } from './test-postgres';

/** Starts the one PostgreSQL server the test files share (each gets its own database). */
export default async function globalSetup(): Promise<void> {
  try {
    const { server, url } = await startTestPostgres();
    (globalThis as { __testPostgres?: unknown }).__testPostgres = server;
    process.env.AUTH_FACTORS_TEST_PG_URL = url;
  } catch (error) {
    // One line that says what to do (a folder PostgreSQL cannot pass through, say), not jest's trace of the global set-up.
    console.error(`The tests' embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

import { existsSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeFileError, StartupError } from './startup-error';

/** DATA_DIR cannot be used: names the folder, the cause and the two ways out. */
export function unusableDataDir(dataDir: string, what: string, error: unknown): StartupError {
  return new StartupError(
    `DATA_DIR=${dataDir}`,
    `${what}: ${describeFileError(error)}`,
    'Set DATA_DIR to a folder this user can write, or set DATABASE_URL to use your own PostgreSQL',
  );
}

/**
 * Creates DATA_DIR and its missing parents one by one, then checks it is writable, so that a folder that
 * cannot be used fails the start with one clear line before anything writes to it. Not `mkdir -p`:
 * Node's recursive mkdir never returns for a path below /proc.
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dataDir; !existsSync(current); current = dirname(current)) missing.unshift(current);
  try {
    for (const path of missing) await mkdir(path).catch((error: { code?: string }) => (error.code === 'EEXIST' ? undefined : Promise.reject(error)));
    await access(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unusableDataDir(dataDir, 'cannot create or write the folder', error);
  }
}

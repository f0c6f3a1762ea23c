import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createOrganization, createUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');

/** `npm run token -- <args>` as a person runs it, against the test app's database and data folder. */
function token(t: TestApp, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', '--require', 'tsconfig-paths/register', 'src/cli/token.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: t.config.databaseUrl, DATA_DIR: t.config.dataDir, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('prints a token for an active user that the service accepts', async () => {
    const result = await token(t, '--user', t.bootstrapped.adminId, '--expires-in', '15m');
    expect(result.code).toBe(0);
    const response = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: result.stdout.trim() });
    expect(response.status).toBe(200);
  }, 60_000);

  it('refuses a user that does not exist, printing no token', async () => {
    const result = await token(t, '--user', '12345');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.trim()).toBe(
      `token: no user with id 12345 in this service's database (DATA_DIR=${t.config.dataDir}): the service would refuse the token`,
    );
  }, 60_000);

  it('refuses an inactive user', async () => {
    const user = await createUser(t, await createOrganization(t));
    expect((await t.request('POST', `/v2/users/${user.userId}/deactivate`, { token: t.adminToken, body: {} })).status).toBe(200);
    const result = await token(t, '--user', user.userId);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.trim()).toBe(`token: the user ${user.userId} is inactive: the service would refuse the token`);
  }, 60_000);

  it('--help prints the usage on stdout and exits 0; a wrong option gets the usage and status 2, without a stack trace', async () => {
    const help = await token(t, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--expires-in <duration>');
    const wrong = await token(t, '--usr', 'x');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("token: Unknown option '--usr'");
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

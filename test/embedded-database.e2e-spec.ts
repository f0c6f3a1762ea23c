import { existsSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseServer } from '@app/database';
import { freePort } from './support/free-port';
import { startTestApp } from './support/test-app';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the database the service runs on', () => {
  it('starts an embedded PostgreSQL in DATA_DIR without DATABASE_URL, stops it on shutdown and reuses the data on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-factors-embedded-'));
    const port = String(await freePort());
    const env = { DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: port, SEED_DEMO_USER: 'true' };

    const first = await startTestApp(env);
    expect(first.app.get(DatabaseServer).embedded?.owned).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const demo = first.bootstrapped.demoId!;
    const removed = await first.request('DELETE', '/auth/v1/users/me/auth_factors/otp_sms', { token: first.token(demo) });
    expect(removed.status).toBe(200);
    await first.close();
    expect(await portIsOpen(Number(port))).toBe(false);

    const second = await startTestApp(env);
    try {
      expect(second.bootstrapped.adminId).toBe(first.bootstrapped.adminId);
      expect(second.bootstrapped.demoId).toBe(demo);
      const factors = await second.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: second.token(demo) });
      expect(factors.body).toEqual({ result: [{ state: 'AUTH_FACTOR_STATE_READY', otpEmail: {} }] });
    } finally {
      await second.close();
    }
  });

  it('uses DATABASE_URL when set and starts no embedded server', async () => {
    const t = await startTestApp();
    try {
      expect(t.app.get(DatabaseServer).embedded).toBeUndefined();
      expect(existsSync(join(t.config.dataDir, 'postgres'))).toBe(false);
    } finally {
      await t.close();
    }
  });
});

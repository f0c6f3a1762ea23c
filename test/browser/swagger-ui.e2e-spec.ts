import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');

describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); .ci/run installs it`);
    }
    t = await startTestApp({ SEED_DEMO_USER: 'true' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("removes the demo user's OTP SMS through Authorize and Try it out, showing details.sequence", async () => {
    const demoId = t.bootstrapped.demoId!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.goto(`${t.url}/docs`);

    await page.locator('button.authorize').first().click();
    await page.locator('.auth-container input').first().fill(t.token(demoId));
    await page.locator('.auth-btn-wrapper button.authorize').click();
    await page.locator('.auth-btn-wrapper button.btn-done').click();

    const operation = page.locator('#operations-Auth_API_v1-MyAuthFactorsController_removeOtpSms');
    await operation.locator('.opblock-summary').click();
    // "Try it out" is on by default (tryItOutEnabled), so Execute is there at once.
    await operation.locator('button.execute').click();

    const responseBody = operation.locator('.live-responses-table .response-col_description pre').first();
    await responseBody.waitFor({ timeout: 10_000 });
    const text = await responseBody.innerText();
    const body = JSON.parse(text) as { details: { sequence: string; resourceOwner: string } };
    expect(body.details.sequence).toMatch(/^\d+$/);
    expect(body.details.resourceOwner).toBe(t.bootstrapped.organizationId);
    await expect(operation.locator('.live-responses-table tr.response .response-col_status').first().innerText()).resolves.toContain('200');
    // Nothing was pre-filled: a stale If-Match or a fixed Idempotency-Key would break every later try.
    const curl = await operation.locator('.curl-command').innerText();
    expect(curl).toContain('Authorization: Bearer');
    expect(curl).not.toMatch(/If-Match|Idempotency-Key/i);

    const factors = await t.request('POST', '/auth/v1/users/me/auth_factors/_search', { token: t.token(demoId) });
    expect(factors.body.result).toEqual([{ state: 'AUTH_FACTOR_STATE_READY', otpEmail: {} }]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await operation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui.png'), fullPage: false });
  });
});

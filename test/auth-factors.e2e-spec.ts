import { createOrganization, createUser, eventsOf } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('OTP SMS over the Auth API v1 (smoke)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('adds, lists and removes OTP SMS for the token user, returning the seed details', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org);
    const before = (await eventsOf(t, user.userId)).length;
    expect((await t.request('POST', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token, body: {} })).status).toBe(200);
    const removed = await t.request('DELETE', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token });
    expect(removed.status).toBe(200);
    expect(removed.body.details.sequence).toBe(String(before + 2));
    expect(removed.body.details.resourceOwner).toBe(org);
    const again = await t.request('DELETE', '/auth/v1/users/me/auth_factors/otp_sms', { token: user.token });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe(5);
  });
});

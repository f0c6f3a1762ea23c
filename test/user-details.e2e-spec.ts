import { createOrganization, createUser } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('details of GET /v2/users/{userId}', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('report the sequence and time of the last event, whichever command wrote it', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org);
    await t.request('POST', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const removed = await t.request('DELETE', `/v2/users/${user.userId}/otp_sms`, { token: t.adminToken });
    expect(removed.status).toBe(200);

    const read = await t.request('GET', `/v2/users/${user.userId}`, { token: t.adminToken });
    expect(read.body.details).toEqual(removed.body.details);
  });
});

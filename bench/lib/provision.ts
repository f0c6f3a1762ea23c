import { issueToken, loadOrCreateSigningKey } from '@app/auth';

/** Who the load acts as: users with a verified phone and e-mail, and a manager of their organization. */
export interface Population {
  readonly organizationId: string;
  readonly manager: { readonly userId: string; readonly token: string };
  readonly users: readonly { readonly userId: string; readonly token: string }[];
}

export interface TokenSettings {
  readonly dataDir: string;
  readonly issuer: string;
  readonly audience: string;
}

/** Signs bearer tokens with the service's local key (the same DATA_DIR), valid for a day. */
export function tokenSigner(settings: TokenSettings): (userId: string) => string {
  const key = loadOrCreateSigningKey(settings.dataDir);
  return (subject) => issueToken(key, { subject, issuer: settings.issuer, audience: settings.audience, expiresInSeconds: 86_400 });
}

/** Calls the API; throws unless the status is one of `accepted`. */
export async function call<T = Record<string, any>>(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  accepted: number[] = [200],
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!accepted.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function forEachLimited<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Creates, through the API as the instance administrator, an organization, its ORG_USER_MANAGER and `count` users. */
export async function provision(baseUrl: string, adminToken: string, sign: (userId: string) => string, count: number): Promise<Population> {
  const stamp = Date.now();
  const { body: org } = await call(baseUrl, 'POST', '/v2/organizations', adminToken, { name: `bench-${stamp}` });
  const organizationId: string = org.organizationId;
  const addHuman = async (username: string, index: number, withChannels: boolean): Promise<string> => {
    const body: Record<string, unknown> = {
      username,
      organization: { orgId: organizationId },
      profile: { givenName: 'Bench', familyName: `User ${index}` },
    };
    if (withChannels) {
      body.phone = { phone: `+4179${String(1_000_000 + index).slice(-7)}`, isVerified: true };
      body.email = { email: `bench${index}@example.com`, isVerified: true };
    }
    return (await call(baseUrl, 'POST', '/v2/users/human', adminToken, body)).body.userId as string;
  };
  const managerId = await addHuman(`manager-${stamp}`, 0, false);
  await call(baseUrl, 'POST', `/v2/organizations/${organizationId}/members`, adminToken, { userId: managerId, roles: ['ORG_USER_MANAGER'] });
  const ids: string[] = Array.from({ length: count }, () => '');
  await forEachLimited(
    Array.from({ length: count }, (_, i) => i + 1),
    8,
    async (n, index) => {
      ids[index] = await addHuman(`bench-${stamp}-${n}`, n, true);
    },
  );
  return {
    organizationId,
    manager: { userId: managerId, token: sign(managerId) },
    users: ids.map((userId) => ({ userId, token: sign(userId) })),
  };
}

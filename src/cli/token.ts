import { parseArgs } from 'node:util';
import { issueToken, loadOrCreateSigningKey, parseDuration } from '@app/auth';
import { ConfigError, loadConfig } from '@app/config';
import { createDataSource, EmbeddedPostgresServer } from '@app/database';
import { ADMIN_USERNAME, DEFAULT_ORGANIZATION, DEMO_USERNAME } from '../bootstrap/bootstrap.service';

const USAGE = `Prints a bearer token signed with the local development key.

  npm run --silent token -- --user <userId> [--expires-in 1h]
  npm run --silent token -- --admin          the instance administrator
  npm run --silent token -- --demo           the demo user (embedded database)`;

/** Looks up a bootstrap user's id (the administrator, or the demo user) in the database. */
async function findBootstrapUser(username: string): Promise<string> {
  const config = loadConfig();
  const embedded = config.databaseUrl ? undefined : new EmbeddedPostgresServer({ dataDir: config.dataDir, port: config.embeddedPostgresPort, whenInUse: 'join' });
  const url = config.databaseUrl ?? (await embedded!.start());
  const dataSource = createDataSource({ url, entities: [], migrations: [], ...config.database });
  try {
    await dataSource.initialize();
    const rows: { id: string }[] = await dataSource.query(
      `SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id
       WHERE u.username = $1 AND o.name = $2 ORDER BY u.created_at LIMIT 1`,
      [username, DEFAULT_ORGANIZATION],
    );
    if (!rows[0]) throw new Error(`no user "${username}" yet: start the service once (npm start) to create it`);
    return rows[0].id;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      admin: { type: 'boolean' },
      demo: { type: 'boolean' },
      'expires-in': { type: 'string', default: '1h' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || [values.user !== undefined, values.admin, values.demo].filter(Boolean).length !== 1) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadConfig();
  if (config.jwt.jwksUri) throw new Error('JWKS_URI is set: tokens come from your identity provider, not from the local key');
  const subject = values.user ?? (await findBootstrapUser(values.admin ? ADMIN_USERNAME : DEMO_USERNAME));
  const token = issueToken(loadOrCreateSigningKey(config.dataDir), {
    subject,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    expiresInSeconds: parseDuration(values['expires-in']!),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `token: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

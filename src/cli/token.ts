import { parseArgs } from 'node:util';
import { issueToken, loadOrCreateSigningKey, parseDuration } from '@app/auth';
import { AppConfig, ConfigError, loadConfig, StartupError } from '@app/config';
import { createDataSource, EmbeddedPostgresServer } from '@app/database';
import type { DataSource } from 'typeorm';
import { ADMIN_USERNAME, DEFAULT_ORGANIZATION, DEMO_USERNAME } from '../bootstrap/bootstrap.service';
import { ENTITIES } from '../entities';

const USAGE = `Prints a bearer token signed with the local development key (in DATA_DIR).

  npm run --silent token -- --user <userId>   a user of this service, by id
  npm run --silent token -- --admin           the instance administrator
  npm run --silent token -- --demo            the demo user

  --expires-in <duration>   90s, 15m, 12h, 7d or seconds (default 1h)
  --help                    this text

The service accepts a token only while its user exists and is active: the command checks that first.
Run it with the DATA_DIR (and DATABASE_URL, if any) of the service.`;

/** Refused for a reason the person running the command can act on: a message, no stack trace. */
class TokenRefused extends Error {}

/** Runs `query` against the service's database: the running embedded server is joined, else one is started for the call. */
async function withDatabase<T>(config: AppConfig, query: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const embedded = config.databaseUrl
    ? undefined
    : new EmbeddedPostgresServer({ dataDir: config.dataDir, port: config.embeddedPostgresPort, whenInUse: 'join' });
  const url = config.databaseUrl ?? (await embedded!.start());
  const dataSource = createDataSource({ url, entities: ENTITIES, migrations: [], ...config.database });
  try {
    await dataSource.initialize();
    return await query(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

/** The id of the user the token is for, checked to exist and be active (the tokens of others are refused anyway). */
async function findSubject(config: AppConfig, values: { user?: string; admin?: boolean }, dataSource: DataSource): Promise<string> {
  if (values.user !== undefined) {
    // By table name (the entities are the data source's; the users feature keeps its own).
    const user: { state: string } | undefined = await dataSource.manager
      .createQueryBuilder('users', 'u')
      .select('u.state', 'state')
      .where('u.id = :id', { id: values.user })
      .getRawOne();
    if (!user)
      throw new TokenRefused(`no user with id ${values.user} in this service's database (DATA_DIR=${config.dataDir}): the service would refuse the token`);
    if (user.state !== 'active') throw new TokenRefused(`the user ${values.user} is ${user.state}: the service would refuse the token`);
    return values.user;
  }
  const username = values.admin ? ADMIN_USERNAME : DEMO_USERNAME;
  const user: { id: string } | undefined = await dataSource.manager
    .createQueryBuilder('users', 'u')
    .select('u.id', 'id')
    .innerJoin('organizations', 'o', 'o.id = u.organizationId')
    .where('u.username = :username', { username })
    .andWhere('o.name = :organization', { organization: DEFAULT_ORGANIZATION })
    .orderBy('u.createdAt', 'ASC')
    .limit(1)
    .getRawOne();
  if (!user) throw new TokenRefused(`no user "${username}" yet: start the service once (npm start) to create it`);
  return user.id;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      admin: { type: 'boolean' },
      demo: { type: 'boolean' },
      'expires-in': { type: 'string', default: '1h' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if ([values.user !== undefined, values.admin, values.demo].filter(Boolean).length !== 1) {
    console.error(`token: give one of --user <userId>, --admin or --demo\n\n${USAGE}`);
    process.exit(2);
  }
  const config = loadConfig();
  if (config.jwt.jwksUri) throw new TokenRefused('JWKS_URI is set: tokens come from your identity provider, not from the local key');
  let expiresInSeconds: number;
  try {
    expiresInSeconds = parseDuration(values['expires-in']!);
  } catch (error) {
    throw new TokenRefused(`--expires-in: ${(error as Error).message}`);
  }
  const subject = await withDatabase(config, (dataSource) => findSubject(config, values, dataSource));
  const token = issueToken(loadOrCreateSigningKey(config.dataDir), { subject, issuer: config.jwt.issuer, audience: config.jwt.audience, expiresInSeconds });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) {
    console.error(`token: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const expected = error instanceof ConfigError || error instanceof StartupError || error instanceof TokenRefused;
  console.error(`token: ${expected ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

import { resolve } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';

/** The problems a configuration is refused for (fails the test if it is accepted). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`configuration accepted: ${JSON.stringify(env)}`);
}

const PRODUCTION_JWT = { JWKS_URI: 'https://issuer.example.com/oauth/v2/keys', JWT_ISSUER: 'https://issuer.example.com', JWT_AUDIENCE: 'auth-factors' };
const DATABASE_URL = 'postgres://auth:secret@db.example.com:5432/auth_factors';
const CODE_SECRET = { VERIFICATION_CODE_SECRET: 'a-secret-of-at-least-thirty-two-characters' };

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const expected: AppConfig = {
      production: false,
      port: 8080,
      grpcPort: 8081,
      host: '0.0.0.0',
      trustedProxies: [],
      http: { requestTimeoutMs: 30_000 },
      databaseUrl: undefined,
      dataDir: resolve('./.data'),
      embeddedPostgresPort: undefined,
      runMigrations: true,
      database: { poolSize: 10, connectTimeoutMs: 2000, statementTimeoutMs: 5000 },
      jwt: { jwksUri: undefined, issuer: 'auth-factors-local', audience: 'auth-factors', jwksMinRefreshIntervalSeconds: 30, jwksMaxKeyAgeSeconds: 600 },
      logLevel: 'info',
      logFormat: undefined,
      seedDemoUser: true,
      adminUserId: undefined,
      factorRateLimit: { limit: 60, windowSeconds: 60 },
      factorPolicyDefaults: { forceMfa: false, factorChangeMaxAuthAgeSeconds: undefined },
      outbox: {
        pollIntervalMs: 1000,
        batchSize: 20,
        maxAttempts: 10,
        retryBaseMs: 1000,
        retryMaxMs: 3_600_000,
        deliveryTimeoutMs: 5000,
        webhookAllowPrivateNetworks: false,
      },
      smtp: { url: undefined, from: 'auth-factors <no-reply@localhost>' },
      codes: { secret: undefined, ttlSeconds: 600, verificationLength: 6, otpLength: 8, maxAttempts: 5, resendIntervalSeconds: 30, sendsPerHour: 10 },
      sms: { provider: 'none' },
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('reads TRUSTED_PROXIES as addresses and CIDR ranges, and names every entry that is neither', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,fd00::/8' }).trustedProxies).toEqual(['10.0.0.1', '192.168.0.0/16', 'fd00::/8']);
    expect(problemsOf({ TRUSTED_PROXIES: '10.0.0.1,proxy.example.com,10.0.0.0/33,::1/129' })).toEqual([
      'TRUSTED_PROXIES: "proxy.example.com", "10.0.0.0/33", "::1/129" expected IP addresses or CIDR ranges, comma-separated',
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '' })).toEqual(loadConfig({}));
  });

  it('reads the variables it is given', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      RUN_MIGRATIONS: 'false',
      DATABASE_POOL_SIZE: '25',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      EMBEDDED_POSTGRES_PORT: '5433',
    });
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u:p@db:5432/x',
      runMigrations: false,
      database: { poolSize: 25 },
      logLevel: 'debug',
      logFormat: 'json',
      embeddedPostgresPort: 5433,
      seedDemoUser: false, // no demo user on an external database unless asked
    });
  });

  it.each(['abc', '-1', '65536', '80.5', ' 80', '0x50'])('refuses PORT=%j, naming the variable', (port) => {
    const problems = problemsOf({ PORT: port });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT=/);
  });

  it('reads GRPC_PORT, refuses a bad one and one equal to PORT, and allows both 0 (any free port)', () => {
    expect(loadConfig({ GRPC_PORT: '9090' }).grpcPort).toBe(9090);
    expect(problemsOf({ GRPC_PORT: '70000' })).toEqual([expect.stringMatching(/^GRPC_PORT=/)]);
    // One connection would hold the migrations' lock and wait for a second to run them.
    expect(problemsOf({ DATABASE_POOL_SIZE: '1' })).toEqual([expect.stringMatching(/^DATABASE_POOL_SIZE=/)]);
    expect(problemsOf({ PORT: '9000', GRPC_PORT: '9000' })).toEqual([expect.stringMatching(/^GRPC_PORT=9000: must differ from PORT/)]);
    expect(loadConfig({ PORT: '0', GRPC_PORT: '0' })).toMatchObject({ port: 0, grpcPort: 0 });
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', LOG_FORMAT: 'fancy', RUN_MIGRATIONS: 'maybe', DATABASE_URL: 'mysql://db/x' });
    expect(problems.map((problem) => problem.split(/[=:]/)[0]).sort()).toEqual(['DATABASE_URL', 'LOG_FORMAT', 'LOG_LEVEL', 'PORT', 'RUN_MIGRATIONS']);
  });

  it('refuses NODE_ENV=production without JWKS_URI (the development key is not for production)', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL, ...CODE_SECRET })).toEqual([
      expect.stringMatching(/^JWKS_URI: required with NODE_ENV=production/),
    ]);
  });

  it('refuses NODE_ENV=production without DATABASE_URL (the embedded database is for development)', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...PRODUCTION_JWT, ...CODE_SECRET })).toEqual([
      expect.stringMatching(/^DATABASE_URL: required with NODE_ENV=production/),
    ]);
  });

  it('refuses NODE_ENV=production without VERIFICATION_CODE_SECRET, and a short one anywhere', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL, ...PRODUCTION_JWT })).toEqual([expect.stringMatching(/^VERIFICATION_CODE_SECRET: required/)]);
    expect(problemsOf({ VERIFICATION_CODE_SECRET: 'short' })).toEqual(['VERIFICATION_CODE_SECRET: expected at least 32 characters']);
  });

  it('reads the SMS provider and names what it is missing', () => {
    expect(loadConfig({ SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms' }).sms).toEqual({
      provider: 'webhook',
      url: 'http://127.0.0.1:9/sms',
      secret: undefined,
    });
    expect(problemsOf({ SMS_PROVIDER: 'twilio', SMS_TWILIO_ACCOUNT_SID: 'AC1' })).toEqual([
      'SMS_TWILIO_AUTH_TOKEN: required with SMS_PROVIDER=twilio',
      'SMS_FROM: required with SMS_PROVIDER=twilio',
    ]);
    expect(problemsOf({ SMS_PROVIDER: 'webhook' })).toEqual(['SMS_WEBHOOK_URL: required with SMS_PROVIDER=webhook']);
  });

  it('accepts NODE_ENV=production with DATABASE_URL, JWKS_URI, JWT_ISSUER and JWT_AUDIENCE, and seeds no demo user', () => {
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL, ...PRODUCTION_JWT, ...CODE_SECRET })).toMatchObject({
      production: true,
      seedDemoUser: false,
      jwt: {
        jwksUri: PRODUCTION_JWT.JWKS_URI,
        issuer: PRODUCTION_JWT.JWT_ISSUER,
        audience: PRODUCTION_JWT.JWT_AUDIENCE,
        jwksMinRefreshIntervalSeconds: 30,
        jwksMaxKeyAgeSeconds: 600,
      },
    });
  });

  it('gives the administrator the configured ADMIN_USER_ID, and refuses one with white space', () => {
    expect(loadConfig({ ADMIN_USER_ID: 'idp-subject-42' }).adminUserId).toBe('idp-subject-42');
    expect(problemsOf({ ADMIN_USER_ID: 'has space' })).toEqual([expect.stringMatching(/^ADMIN_USER_ID:/)]);
  });

  it('refuses JWKS_URI without JWT_ISSUER', () => {
    expect(problemsOf({ JWKS_URI: PRODUCTION_JWT.JWKS_URI, JWT_AUDIENCE: 'auth-factors' })).toEqual([
      expect.stringMatching(/^JWT_ISSUER: required when JWKS_URI is set/),
    ]);
  });

  it('refuses JWKS_URI without JWT_AUDIENCE', () => {
    expect(problemsOf({ JWKS_URI: PRODUCTION_JWT.JWKS_URI, JWT_ISSUER: 'https://issuer.example.com' })).toEqual([
      expect.stringMatching(/^JWT_AUDIENCE: required when JWKS_URI is set/),
    ]);
  });

  it('refuses a JWKS_URI that is not an http(s) URL', () => {
    expect(problemsOf({ ...PRODUCTION_JWT, JWKS_URI: 'file:///etc/keys.json' })).toEqual([expect.stringMatching(/^JWKS_URI: expected a URL/)]);
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(problemsOf({ NODE_ENV: 'prod' })).toEqual([expect.stringMatching(/^NODE_ENV=/)]);
  });
});

describe('loadConfig: factor rate limit', () => {
  it('reads FACTOR_RATE_LIMIT and FACTOR_RATE_WINDOW_SECONDS (0 turns the limit off)', () => {
    expect(loadConfig({ FACTOR_RATE_LIMIT: '3', FACTOR_RATE_WINDOW_SECONDS: '10' }).factorRateLimit).toEqual({ limit: 3, windowSeconds: 10 });
    expect(loadConfig({ FACTOR_RATE_LIMIT: '0' }).factorRateLimit.limit).toBe(0);
  });

  it('refuses a negative or non-integer limit and a window of 0 or over a day, naming the variable', () => {
    expect(problemsOf({ FACTOR_RATE_LIMIT: '-1' })).toEqual([expect.stringMatching(/^FACTOR_RATE_LIMIT=/)]);
    expect(problemsOf({ FACTOR_RATE_LIMIT: 'lots' })).toEqual([expect.stringMatching(/^FACTOR_RATE_LIMIT=/)]);
    expect(problemsOf({ FACTOR_RATE_WINDOW_SECONDS: '0' })).toEqual([expect.stringMatching(/^FACTOR_RATE_WINDOW_SECONDS=/)]);
    expect(problemsOf({ FACTOR_RATE_WINDOW_SECONDS: '86401' })).toEqual([expect.stringMatching(/^FACTOR_RATE_WINDOW_SECONDS=/)]);
  });
});

describe('loadConfig: outbox', () => {
  it('reads OUTBOX_DELIVERY_TIMEOUT_MS independently of DATABASE_STATEMENT_TIMEOUT_MS (no transaction is open while delivering)', () => {
    const config = loadConfig({ OUTBOX_DELIVERY_TIMEOUT_MS: '60000', DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
    expect([config.outbox.deliveryTimeoutMs, config.database.statementTimeoutMs]).toEqual([60_000, 1000]);
    expect(problemsOf({ OUTBOX_DELIVERY_TIMEOUT_MS: '60001' })).toEqual([expect.stringMatching(/^OUTBOX_DELIVERY_TIMEOUT_MS=/)]);
  });
});

describe('loadConfig: factor policy defaults', () => {
  it('reads FORCE_MFA_DEFAULT and FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT (a duration, or off)', () => {
    expect(loadConfig({ FORCE_MFA_DEFAULT: 'true', FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT: '15m' }).factorPolicyDefaults).toEqual({
      forceMfa: true,
      factorChangeMaxAuthAgeSeconds: 900,
    });
    expect(loadConfig({ FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT: '300' }).factorPolicyDefaults.factorChangeMaxAuthAgeSeconds).toBe(300);
    expect(loadConfig({ FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT: 'off' }).factorPolicyDefaults.factorChangeMaxAuthAgeSeconds).toBeUndefined();
  });

  it('refuses a bad FORCE_MFA_DEFAULT and a zero, negative, malformed or over-30-days FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT', () => {
    expect(problemsOf({ FORCE_MFA_DEFAULT: 'maybe' })).toEqual([expect.stringMatching(/^FORCE_MFA_DEFAULT=/)]);
    for (const value of ['0', '-5m', '5 minutes', '31d']) {
      expect(problemsOf({ FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT: value })).toEqual([expect.stringMatching(/^FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT=/)]);
    }
  });
});

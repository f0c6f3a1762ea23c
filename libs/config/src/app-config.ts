import { resolve } from 'node:path';
import { isIP } from 'node:net';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
export type LogFormat = 'pretty' | 'json';
const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/** The service's configuration, validated once at boot. */
export interface AppConfig {
  readonly production: boolean;
  readonly port: number;
  /** gRPC over HTTP/2 cleartext (h2c); REST, Connect and gRPC-web use `port`. 0: any free port. */
  readonly grpcPort: number;
  readonly host: string;
  /**
   * Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client; empty: none, the source
   * address events record is the connection's peer.
   */
  readonly trustedProxies: readonly string[];
  /** Both ports: a request's headers and body must arrive within this; slower clients get 408 (see ConnectionLimits). */
  readonly http: { readonly requestTimeoutMs: number };
  /** Unset: an embedded PostgreSQL is started in `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** Unset: the port this data folder's server used last, else 54329, else a free one. */
  readonly embeddedPostgresPort?: number;
  readonly runMigrations: boolean;
  readonly database: {
    readonly poolSize: number;
    readonly connectTimeoutMs: number;
    readonly statementTimeoutMs: number;
  };
  readonly jwt: {
    /** Unset: tokens are verified with the local development key in `dataDir`. */
    readonly jwksUri?: string;
    readonly issuer: string;
    readonly audience: string;
    /** An unknown `kid` fetches the JWKS again only when the last fetch is this old: a flood of made-up `kid`s costs one fetch per interval. */
    readonly jwksMinRefreshIntervalSeconds: number;
    /** The JWKS is fetched again on this schedule whatever tokens arrive, so keys the issuer removed stop serving. */
    readonly jwksMaxKeyAgeSeconds: number;
  };
  readonly logLevel: LogLevel;
  /** Unset: pretty in development on a terminal, JSON otherwise. */
  readonly logFormat?: LogFormat;
  /** Creates the demo user on an empty embedded database, so the API can be tried at once. */
  readonly seedDemoUser: boolean;
  /** The id the bootstrap gives the instance administrator: the subject your identity provider puts in its tokens. */
  readonly adminUserId?: string;
  /** Factor mutations (add/remove OTP SMS/Email) one acting user may make per window, across all instances; limit 0: unlimited. */
  readonly factorRateLimit: { readonly limit: number; readonly windowSeconds: number };
  /** The factor policy of organizations that have not set their own (see /v2/organizations/{orgId}/factor_policy). */
  readonly factorPolicyDefaults: {
    /** Refuse removing a user's last second factor. */
    readonly forceMfa: boolean;
    /** Self-service factor changes need a token whose `auth_time` is at most this old; unset: no step-up. */
    readonly factorChangeMaxAuthAgeSeconds?: number;
  };
  /** The outbox dispatcher: webhooks and security e-mails fanned out from the event log. */
  readonly outbox: {
    readonly pollIntervalMs: number;
    readonly batchSize: number;
    /** Attempts before a delivery is dead-lettered. */
    readonly maxAttempts: number;
    /** Backoff after the first failed attempt; doubles per attempt up to `retryMaxMs`. */
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    /** Bound of one attempt as a whole (webhook POST, SMTP conversation); a claim's lease, after which another instance may attempt again, derives from it. */
    readonly deliveryTimeoutMs: number;
    /** Webhooks may target loopback, private, link-local and unique-local addresses (on-premise receivers); off, only public ones. */
    readonly webhookAllowPrivateNetworks: boolean;
  };
  /** Unset `url`: security e-mails are logged as skipped and recorded so. */
  readonly smtp: { readonly url?: string; readonly from: string };
  /** Verification codes (phone, e-mail) and OTP codes (OTP SMS, OTP Email). */
  readonly codes: {
    /** Keys the codes' hashes and their encryption until delivery; unset (development only): derived from the local signing key. */
    readonly secret?: string;
    readonly ttlSeconds: number;
    /** Phone and e-mail verification codes: upper-case letters and digits (ZITADEL's default alphabet). */
    readonly verificationLength: number;
    /** OTP SMS and OTP Email codes: digits. */
    readonly otpLength: number;
    /** Wrong attempts after which a code is dead. */
    readonly maxAttempts: number;
    /** A new code to be sent is refused this soon after the user's last one of the same purpose. */
    readonly resendIntervalSeconds: number;
    /** Codes sent to one phone number or e-mail address per hour, across all users; 0: unlimited. */
    readonly sendsPerHour: number;
  };
  /** How SMS are sent: none (development: the code is logged), a Twilio-compatible API, or a JSON webhook. */
  readonly sms: SmsConfig;
}

export type SmsConfig =
  | { readonly provider: 'none' }
  | { readonly provider: 'twilio'; readonly apiUrl: string; readonly accountSid: string; readonly authToken: string; readonly from: string }
  | { readonly provider: 'webhook'; readonly url: string; readonly secret?: string };

/** Raised when the environment holds a value the service cannot start with. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return undefined;
  }

  /** A duration such as `300s`, `15m`, `12h`, `7d` or plain seconds, as seconds; `off` or unset: undefined. */
  duration(name: string, maxSeconds: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined || raw.toLowerCase() === 'off') return undefined;
    const match = /^(\d+)([smhd]?)$/.exec(raw);
    const seconds = match ? Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'] : NaN;
    if (!(seconds >= 1 && seconds <= maxSeconds)) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected a duration from 1s to ${maxSeconds}s (e.g. 300s, 15m, 12h, 7d) or off`);
      return undefined;
    }
    return seconds;
  }

  /** A secret of at least `minLength` characters; unset: undefined. */
  secret(name: string, minLength: number): string | undefined {
    const value = this.string(name);
    if (value !== undefined && value.length < minLength) this.problems.push(`${name}: expected at least ${minLength} characters`);
    return value;
  }

  /** A comma-separated list of IP addresses or CIDR ranges (`10.0.0.0/8`, `fd00::/8`); unset: empty. */
  addressList(name: string): string[] {
    const raw = this.string(name);
    if (raw === undefined) return [];
    const entries = raw.split(',').map((entry) => entry.trim());
    const invalid = entries.filter((entry) => {
      const [address, prefix, ...rest] = entry.split('/');
      const family = isIP(address);
      if (family === 0 || rest.length > 0) return true;
      return prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    });
    if (invalid.length > 0) {
      this.problems.push(`${name}: ${invalid.map((entry) => JSON.stringify(entry)).join(', ')} expected IP addresses or CIDR ranges, comma-separated`);
      return [];
    }
    return entries;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    return this.optionalOneOf(name, allowed) ?? fallback;
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${allowed.join(', ')}`);
    return undefined;
  }
}

function readSmsConfig(read: EnvReader): SmsConfig {
  const provider = read.oneOf('SMS_PROVIDER', ['none', 'twilio', 'webhook'], 'none');
  const required = (name: string): string => {
    const value = read.string(name);
    if (value === undefined) read.problems.push(`${name}: required with SMS_PROVIDER=${provider}`);
    return value ?? '';
  };
  if (provider === 'twilio') {
    return {
      provider,
      apiUrl: read.url('SMS_TWILIO_API_URL', ['https:', 'http:']) ?? 'https://api.twilio.com',
      accountSid: required('SMS_TWILIO_ACCOUNT_SID'),
      authToken: required('SMS_TWILIO_AUTH_TOKEN'),
      from: required('SMS_FROM'),
    };
  }
  if (provider === 'webhook') {
    const url = read.url('SMS_WEBHOOK_URL', ['https:', 'http:']);
    if (url === undefined && read.string('SMS_WEBHOOK_URL') === undefined) read.problems.push('SMS_WEBHOOK_URL: required with SMS_PROVIDER=webhook');
    return { provider, url: url ?? '', secret: read.secret('SMS_WEBHOOK_SECRET', 16) };
  }
  return { provider };
}

/** Fastify's `trustProxy`: only the configured proxies may name the client in `X-Forwarded-For`; none by default. */
export function trustProxyOf(config: AppConfig): string[] | false {
  return config.trustedProxies.length > 0 ? [...config.trustedProxies] : false;
}

/** Reads and validates the configuration; throws a {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const production = read.oneOf('NODE_ENV', ['development', 'production', 'test'], 'development') === 'production';
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const jwksUri = read.url('JWKS_URI', ['https:', 'http:']);
  const issuer = read.string('JWT_ISSUER');
  const audience = read.string('JWT_AUDIENCE');
  if (jwksUri && !issuer) read.problems.push('JWT_ISSUER: required when JWKS_URI is set');
  if (jwksUri && !audience) read.problems.push('JWT_AUDIENCE: required when JWKS_URI is set');
  if (production && !jwksUri) {
    read.problems.push('JWKS_URI: required with NODE_ENV=production (the local development signing key is not for production)');
  }
  if (production && !databaseUrl) {
    read.problems.push('DATABASE_URL: required with NODE_ENV=production (the embedded PostgreSQL is for development)');
  }
  const adminUserId = read.string('ADMIN_USER_ID');
  if (adminUserId !== undefined && (adminUserId.length > 200 || /\s/.test(adminUserId))) {
    read.problems.push('ADMIN_USER_ID: expected 1 to 200 characters without white space');
  }
  const port = read.integer('PORT', 8080, 0, 65535);
  const grpcPort = read.integer('GRPC_PORT', 8081, 0, 65535);
  if (grpcPort !== 0 && grpcPort === port) read.problems.push(`GRPC_PORT=${grpcPort}: must differ from PORT`);
  const config: AppConfig = {
    production,
    port,
    grpcPort,
    host: read.string('HOST', '0.0.0.0'),
    trustedProxies: read.addressList('TRUSTED_PROXIES'),
    http: { requestTimeoutMs: read.integer('HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000) },
    databaseUrl,
    dataDir: resolve(read.string('DATA_DIR', './.data')),
    embeddedPostgresPort: read.optionalInteger('EMBEDDED_POSTGRES_PORT', 1, 65535),
    runMigrations: read.boolean('RUN_MIGRATIONS', true),
    database: {
      // At least 2: the migrations run on one connection while another holds their advisory lock (one alone waits forever).
      poolSize: read.integer('DATABASE_POOL_SIZE', 10, 2, 1000),
      connectTimeoutMs: read.integer('DATABASE_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
      statementTimeoutMs: read.integer('DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    },
    jwt: {
      jwksUri,
      issuer: issuer ?? 'auth-factors-local',
      audience: audience ?? 'auth-factors',
      jwksMinRefreshIntervalSeconds: read.integer('JWKS_MIN_REFRESH_INTERVAL_SECONDS', 30, 1, 3600),
      jwksMaxKeyAgeSeconds: read.integer('JWKS_MAX_KEY_AGE_SECONDS', 600, 10, 86_400),
    },
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: read.optionalOneOf('LOG_FORMAT', LOG_FORMATS),
    seedDemoUser: read.boolean('SEED_DEMO_USER', !databaseUrl && !production),
    adminUserId,
    factorRateLimit: {
      limit: read.integer('FACTOR_RATE_LIMIT', 60, 0, 1_000_000),
      windowSeconds: read.integer('FACTOR_RATE_WINDOW_SECONDS', 60, 1, 86_400),
    },
    factorPolicyDefaults: {
      forceMfa: read.boolean('FORCE_MFA_DEFAULT', false),
      factorChangeMaxAuthAgeSeconds: read.duration('FACTOR_CHANGE_MAX_AUTH_AGE_DEFAULT', 30 * 86_400),
    },
    outbox: {
      pollIntervalMs: read.integer('OUTBOX_POLL_INTERVAL_MS', 1000, 10, 3_600_000),
      batchSize: read.integer('OUTBOX_BATCH_SIZE', 20, 1, 500),
      maxAttempts: read.integer('OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
      retryBaseMs: read.integer('OUTBOX_RETRY_BASE_MS', 1000, 10, 3_600_000),
      retryMaxMs: read.integer('OUTBOX_RETRY_MAX_MS', 3_600_000, 10, 86_400_000),
      deliveryTimeoutMs: read.integer('OUTBOX_DELIVERY_TIMEOUT_MS', 5000, 100, 60_000),
      webhookAllowPrivateNetworks: read.boolean('WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    },
    smtp: {
      url: read.url('SMTP_URL', ['smtp:', 'smtps:']),
      from: read.string('SMTP_FROM', 'auth-factors <no-reply@localhost>'),
    },
    codes: {
      secret: read.secret('VERIFICATION_CODE_SECRET', 32),
      ttlSeconds: read.duration('VERIFICATION_CODE_TTL', 86_400) ?? 600,
      verificationLength: read.integer('VERIFICATION_CODE_LENGTH', 6, 6, 32),
      otpLength: read.integer('OTP_CODE_LENGTH', 8, 6, 32),
      maxAttempts: read.integer('VERIFICATION_CODE_MAX_ATTEMPTS', 5, 1, 20),
      resendIntervalSeconds: read.integer('VERIFICATION_CODE_RESEND_INTERVAL_SECONDS', 30, 0, 3600),
      sendsPerHour: read.integer('VERIFICATION_CODE_SENDS_PER_HOUR', 10, 0, 10_000),
    },
    sms: readSmsConfig(read),
  };
  for (const [name, url] of [
    ['SMS_WEBHOOK_URL', config.sms.provider === 'webhook' ? config.sms.url : undefined],
    ['SMS_TWILIO_API_URL', config.sms.provider === 'twilio' ? config.sms.apiUrl : undefined],
  ] as const) {
    if (production && url?.startsWith('http:')) read.problems.push(`${name}: expected https:// with NODE_ENV=production (codes travel in it)`);
  }
  if (production && config.codes.secret === undefined) {
    read.problems.push('VERIFICATION_CODE_SECRET: required with NODE_ENV=production (at least 32 characters; it keys the stored hashes of verification codes)');
  }
  if (!config.smtp.from.includes('@'))
    read.problems.push(`SMTP_FROM=${JSON.stringify(config.smtp.from)}: expected an e-mail address, e.g. "auth-factors <no-reply@example.com>"`);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

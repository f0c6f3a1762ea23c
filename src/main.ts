import { Logger } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig, ConfigError, describeFileError, loadConfig, prepareDataDir, StartupError } from '@app/config';
import { createApp } from './app.factory';
import { Bootstrapped } from './bootstrap/bootstrap.service';
import { GrpcServer } from './grpc/grpc.server';
import { createRootLogger } from './observability/root-logger.factory';

/** The signals that stop the service gracefully. SIGHUP: the terminal it runs in was closed. */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

async function main(): Promise<void> {
  const config = loadConfig();
  // Development keeps its state there (the embedded cluster, the local signing key); production needs none of it.
  if (!config.production) await prepareDataDir(config.dataDir);
  const { app, bootstrapped } = await createApp(config);
  // Stop accepting, answer the requests in flight, close the pool, stop the embedded database
  // (DatabaseModule), then exit 0 (process.exit also flushes the asynchronous log stream).
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
  await app.listen(config.port, config.host);
  const grpcPort = await app.get(GrpcServer).listen(config.grpcPort, config.host);
  logReady(new Logger('auth-factors'), config, grpcPort, bootstrapped);
}

/** What a person needs once the service is up: where it listens, and how to get a token in development. */
function logReady(logger: Logger, config: AppConfig, grpcPort: number, bootstrapped: Bootstrapped): void {
  const base = `http://localhost:${config.port}`;
  logger.log(`Listening on ${config.host}:${config.port}; Swagger UI: ${base}/docs (document: ${base}/docs-json)`);
  logger.log(`RPCs: Connect and gRPC-web on ${config.host}:${config.port}, gRPC (h2c) on ${config.host}:${grpcPort}`);
  if (config.jwt.jwksUri) return;
  logger.warn(`DEVELOPMENT MODE: tokens are signed with the local key in ${config.dataDir}; set JWKS_URI, JWT_ISSUER and JWT_AUDIENCE for production`);
  logger.log(`Instance administrator: ${bootstrapped.adminId}   token: npm run --silent token -- --admin`);
  if (bootstrapped.demoId) {
    const factors = bootstrapped.demoFactors?.length ? bootstrapped.demoFactors.join(' and ') : 'no second factor';
    logger.log(`Demo user (${factors}): ${bootstrapped.demoId}   token: npm run --silent token -- --demo`);
  }
  logger.log('Any user: npm run --silent token -- --user <userId>');
}

/**
 * A failed start, through the service's logger: an expected failure (bad configuration, a folder or
 * database that cannot be used) as what is at fault and what to do, without a stack trace; anything
 * else with its stack. Exit status 2 for configuration, 1 otherwise.
 */
function reportStartupFailure(error: unknown): never {
  let logger: PinoLogger;
  try {
    logger = createRootLogger(loadConfig());
  } catch {
    // The configuration is what failed: log as it would be logged with the defaults.
    const production = process.env.NODE_ENV === 'production';
    const logFormat = process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'pretty' ? process.env.LOG_FORMAT : undefined;
    logger = createRootLogger({ logLevel: 'info', logFormat, production });
  }
  const startup = logger.child({ context: 'Startup' });
  if (error instanceof ConfigError) {
    startup.fatal(error.message);
    process.exit(2);
  }
  const file = error as { code?: string; syscall?: string; path?: string };
  if (error instanceof StartupError) {
    startup.fatal({ subject: error.subject }, `Cannot start: ${error.message}`);
  } else if (file.path && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOENT', 'ENOTDIR'].includes(file.code ?? '')) {
    // A file the service could not read or write: the path and the cause say it all, a stack adds nothing.
    startup.fatal(
      { path: file.path },
      `Cannot start: ${file.syscall ?? 'access'} ${file.path}: ${describeFileError(error)}. Check that this user may write there`,
    );
  } else {
    startup.fatal({ err: error }, `Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}

main().catch(reportStartupFailure);

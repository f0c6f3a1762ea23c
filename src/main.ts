import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@app/config';
import { createApp } from './app.factory';
import { GrpcServer } from './grpc/grpc.server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const { app, bootstrapped } = await createApp(config);
  // SIGTERM/SIGINT: stop accepting, answer the requests in flight, close the pool, stop the embedded
  // database (DatabaseModule), then exit 0 (process.exit also flushes the asynchronous log stream).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.port, config.host);
  const grpcPort = await app.get(GrpcServer).listen(config.grpcPort, config.host);
  const base = `http://localhost:${config.port}`;
  const logger = new Logger('auth-factors');
  logger.log(`Listening on ${config.host}:${config.port}; Swagger UI: ${base}/docs (document: ${base}/docs-json)`);
  logger.log(`RPCs: Connect and gRPC-web on ${config.host}:${config.port}, gRPC (h2c) on ${config.host}:${grpcPort}`);
  if (!config.jwt.jwksUri) {
    logger.warn(`DEVELOPMENT MODE: tokens are signed with the local key in ${config.dataDir}; set JWKS_URI, JWT_ISSUER and JWT_AUDIENCE for production`);
    logger.log(`Token for the instance administrator (${bootstrapped.adminId}): npm run --silent token -- --admin`);
    if (bootstrapped.demoId) logger.log(`Token for the demo user (${bootstrapped.demoId}, OTP SMS and OTP Email configured): npm run --silent token -- --demo`);
    logger.log('Token for any user: npm run --silent token -- --user <userId>');
  }
}

main().catch((error: unknown) => {
  console.error('auth-factors failed to start:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

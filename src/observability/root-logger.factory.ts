import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig } from '@app/config';
import { maskPersonalData } from './personal-data.masker';

/** Where log lines go; every line passes {@link maskPersonalData} on its way. */
class MaskingDestination implements DestinationStream {
  constructor(private readonly target: DestinationStream) {}

  write(line: string): void {
    this.target.write(maskPersonalData(line));
  }
}

/**
 * The service's one pino logger: JSON lines at `LOG_LEVEL`, headers that carry
 * credentials redacted, bodies never serialized, personal data masked on the
 * whole line. Fastify derives its per-request loggers (bound to the request id)
 * from it; Nest logs through it via nestjs-pino. `destination` defaults to an
 * asynchronous stdout that pino flushes on exit.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'auth-factors',
      level: config.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'req.body', 'body'],
        censor: '[redacted]',
      },
      // A request is logged by what it asked for, never by its headers or body.
      serializers: {
        req: (request: { method?: string; url?: string }) => ({
          method: request.method,
          url: request.url,
        }),
      },
    },
    new MaskingDestination(destination ?? pino.destination({ dest: 1, sync: false })),
  );
}

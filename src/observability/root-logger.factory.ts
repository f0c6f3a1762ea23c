import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig, LogFormat } from '@app/config';
import { maskPersonalData } from './personal-data.masker';

/** Where log lines go; every line passes {@link maskPersonalData} on its way. */
class MaskingDestination implements DestinationStream {
  constructor(private readonly target: DestinationStream) {}

  write(line: string): void {
    this.target.write(maskPersonalData(line));
  }
}

export type RootLoggerSettings = Pick<AppConfig, 'logLevel' | 'logFormat' | 'production'>;

/**
 * Pretty lines for a person at a terminal, JSON for everything that reads logs by machine: production,
 * output into a pipe or file (a container's log driver, a test), or `LOG_FORMAT=json`.
 */
export function chooseLogFormat(settings: Pick<RootLoggerSettings, 'logFormat' | 'production'>, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  if (settings.logFormat) return settings.logFormat;
  return !settings.production && stdoutIsTerminal ? 'pretty' : 'json';
}

/**
 * The service's one pino logger: lines at `LOG_LEVEL`, headers that carry credentials redacted,
 * bodies never serialized, personal data masked on the whole line. Fastify derives its per-request
 * loggers (bound to the request id) from it; Nest logs through it (see NestLogBridge). `destination`
 * (the tests) takes JSON lines; by default they go to stdout, as JSON or pretty (see {@link chooseLogFormat}).
 */
export function createRootLogger(settings: RootLoggerSettings, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'auth-factors',
      level: settings.logLevel,
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
    new MaskingDestination(destination ?? stdoutDestination(chooseLogFormat(settings))),
  );
}

/**
 * stdout as JSON (asynchronous; pino flushes it on exit), or through pino-pretty: one line per entry,
 * `[12:34:56.789] INFO: [Context] (request id) message {other fields}`. pino-pretty is a development
 * dependency: where it is not installed (the production image), the lines stay JSON.
 */
function stdoutDestination(format: LogFormat): DestinationStream {
  const json = (): DestinationStream => pino.destination({ dest: 1, sync: false });
  if (format === 'json') return json();
  let pretty: typeof import('pino-pretty');
  try {
    pretty = require('pino-pretty') as typeof import('pino-pretty');
  } catch {
    return json();
  }
  return pretty({
    // Synchronous, so the last lines before an exit (a start-up failure) are on the terminal.
    sync: true,
    colorize: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name,context,reqId',
    messageFormat: (entry, messageKey) => {
      const context = typeof entry.context === 'string' ? `[${entry.context}] ` : '';
      const requestId = typeof entry.reqId === 'string' ? `(${entry.reqId}) ` : '';
      return `${context}${requestId}${String(entry[messageKey])}`;
    },
  });
}

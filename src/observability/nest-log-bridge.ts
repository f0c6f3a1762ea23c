import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/** Nest's own wiring lines (modules loaded, routes mapped): useful when debugging the framework, noise at every start. */
const WIRING_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger from the first line on, so each line carries the time it happened (Nest's buffering
 * would stamp the whole start-up with the time of the flush). Until {@link delegateTo} it writes to the
 * root pino logger; then through nestjs-pino, which binds a request's lines to its request id.
 * Nest's wiring lines go to debug. A start-up exception is not logged here: main reports it, once.
 */
export class NestLogBridge implements LoggerService {
  private target?: LoggerService;

  constructor(private readonly root: Logger) {}

  /** From now on, lines go through `target`. */
  delegateTo(target: LoggerService): void {
    this.target = target;
  }

  log(message: unknown, ...params: unknown[]): void {
    if (WIRING_CONTEXTS.has(contextOf(params) ?? '')) return this.write('debug', message, params);
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    if (contextOf(params) === 'ExceptionHandler') return;
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (this.target) {
      const method = { trace: 'verbose', debug: 'debug', info: 'log', warn: 'warn', error: 'error', fatal: 'fatal' } as const;
      this.target[method[level]]?.(message, ...params);
      return;
    }
    const context = contextOf(params);
    // Nest passes an error's stack as the parameter before the context.
    const stack = level === 'error' && params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) this.root[level]({ context, err: message }, message.message);
    else this.root[level]({ context, stack }, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/** Nest passes the context as the last parameter. */
function contextOf(params: unknown[]): string | undefined {
  const last = params.at(-1);
  return typeof last === 'string' ? last : undefined;
}

import { stripVTControlCharacters } from 'node:util';
import { chooseLogFormat } from '../src/observability/root-logger.factory';
import { ServiceProcess } from './support/service-process';
import { startTestApp } from './support/test-app';

/** A log destination that keeps every line, parsed. */
class CapturedLogs {
  private readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  get lines(): Record<string, any>[] {
    return this.raw.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, any>);
  }
}

const WIRING = ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication'];

describe('log format', () => {
  it('is pretty for development on a terminal, JSON in production, into a pipe, or when LOG_FORMAT says so', () => {
    expect(chooseLogFormat({ production: false }, true)).toBe('pretty');
    expect(chooseLogFormat({ production: false }, false)).toBe('json');
    expect(chooseLogFormat({ production: true }, true)).toBe('json');
    expect(chooseLogFormat({ production: false, logFormat: 'json' }, true)).toBe('json');
    expect(chooseLogFormat({ production: true, logFormat: 'pretty' }, false)).toBe('pretty');
  });

  it('on a terminal: one readable line per entry with time, level, context and message', async () => {
    // `script` gives the service a terminal; DATA_DIR below /proc makes it fail at once, through the logger.
    const result = await ServiceProcess.runToExit({
      databaseUrl: '',
      dataDir: '/proc/auth-factors-test',
      command: ['sh', '-c', 'exec script -qfec "$*" /dev/null', 'sh', process.execPath],
    });
    const text = stripVTControlCharacters(result.log); // without the colours
    expect(result.code).toBe(1);
    expect(text).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] FATAL: \[Startup\] Cannot start: DATA_DIR=\/proc\/auth-factors-test: cannot create or write the folder: ENOENT/m,
    );
    expect(text).not.toContain('{"level"');
  }, 90_000);
});

describe("Nest's own lines", () => {
  it('wiring lines (modules, routes) are at debug; each start-up line carries the time it was written', async () => {
    const info = new CapturedLogs();
    await (await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: info })).close();
    expect(info.lines.filter((line) => WIRING.includes(line.context))).toEqual([]);

    const debug = new CapturedLogs();
    await (await startTestApp({ LOG_LEVEL: 'debug' }, { logDestination: debug })).close();
    const wiring = debug.lines.filter((line) => WIRING.includes(line.context));
    expect(wiring.length).toBeGreaterThan(20);
    expect(wiring.every((line) => line.level === 'debug')).toBe(true);
    // Buffered, every line written during the module set-up would carry the moment of the flush; written
    // as they happen, the first (Nest starting) is earlier than the migrations of the fresh database.
    const timeOf = (predicate: (line: Record<string, any>) => boolean) => Date.parse(debug.lines.find(predicate)!.time);
    const starting = timeOf((line) => line.context === 'NestFactory');
    const migrated = timeOf((line) => typeof line.msg === 'string' && line.msg.startsWith('Applied migrations'));
    expect(migrated - starting).toBeGreaterThan(20);
  }, 60_000);
});

import { StartupError } from '@app/config';

export interface ConnectionTarget {
  /** The URL connected to; only its host, port, user and database are ever shown. */
  readonly url: string;
  /** The setting it came from: `DATABASE_URL`, or the embedded server's folder. */
  readonly source: string;
  readonly connectTimeoutMs: number;
  /** How long the attempt took: a connection cut at the timeout is a timeout, whatever the driver calls it. */
  readonly elapsedMs: number;
}

/**
 * Why the first connection to PostgreSQL failed, as a start-up error that names the setting, the
 * host and the real cause (a closed port, no answer in time, a wrong password, an unknown host),
 * and what to do about it.
 */
export function describeConnectionFailure(error: unknown, target: ConnectionTarget): StartupError {
  const { code, message = String(error) } = error as { code?: string; message?: string };
  const url = new URL(target.url);
  const where = `${url.hostname}:${url.port || 5432}`;
  const user = decodeURIComponent(url.username) || 'the default user';
  const database = url.pathname.slice(1) || user;
  const subject = target.source;
  const [problem, hint] = ((): [string, string] => {
    if (code === 'ECONNREFUSED')
      return [`nothing listens at ${where} (connection refused)`, `Start PostgreSQL there, or correct the host and port in ${subject}`];
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return [`the host "${url.hostname}" is unknown (${code})`, `Correct the host name in ${subject}, or check the DNS of this machine`];
    if (code === 'ETIMEDOUT' || /timeout/i.test(message) || (/terminated/i.test(message) && target.elapsedMs >= target.connectTimeoutMs)) {
      return [
        `${where} did not answer within ${target.connectTimeoutMs} ms (connect timeout)`,
        `Check that ${where} is reachable from here and is a PostgreSQL server, or raise DATABASE_CONNECT_TIMEOUT_MS`,
      ];
    }
    if (code === '28P01' || code === '28000')
      return [`PostgreSQL at ${where} refused user "${user}": ${message}`, `Correct the user name and password in ${subject}`];
    if (code === '3D000')
      return [`the database "${database}" does not exist at ${where}`, `Create it (CREATE DATABASE ${database}), or correct its name in ${subject}`];
    return [`cannot connect to PostgreSQL at ${where}: ${code ? `${code} ` : ''}${message}`, `Check ${subject} and that PostgreSQL runs there`];
  })();
  return new StartupError(subject, problem, hint);
}

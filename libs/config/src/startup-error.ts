/**
 * An expected reason the service cannot start (a folder it cannot write, a database it cannot reach):
 * logged as one line naming what is at fault, the real cause and what to do, without a stack trace.
 */
export class StartupError extends Error {
  constructor(
    /** The variable or path at fault, e.g. `DATABASE_URL` or `DATA_DIR=/srv/data`. */
    readonly subject: string,
    /** What went wrong, with the underlying cause. */
    readonly problem: string,
    /** One sentence of what to do about it. */
    readonly hint: string,
  ) {
    super(`${subject}: ${problem}. ${hint}`);
    this.name = 'StartupError';
  }
}

/** A file-system error's cause in a few words, e.g. `EROFS (read-only file system)`. */
export function describeFileError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const reason = /^[A-Z]+: ([^,]+),/.exec(message ?? '')?.[1];
  return code ? `${code}${reason ? ` (${reason})` : ''}` : String(message ?? error);
}

// `npm start`: runs the compiled service, compiling it first (with SWC, about 2 s) only when a source
// file is newer than the last build. The service then runs in this very process, so a signal from the
// terminal (Ctrl-C, or SIGHUP when the window is closed) reaches it directly.
'use strict';
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { enableCompileCache } = require('node:module');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'dist', 'src', 'main.js');
const INPUTS = ['src', 'libs', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', '.swcrc'];

/** The newest modification time among the files at `path` (a file or a folder, recursively). */
function newest(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stats.mtimeMs);
}

const built = statSync(ENTRY, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (INPUTS.some((input) => newest(join(ROOT, input)) > built)) {
  console.log('Compiling the service (sources changed since the last build) ...');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
}
// V8's compiled code of the service and its dependencies, kept between starts: loading them is most of a restart.
enableCompileCache(join(ROOT, 'node_modules', '.cache', 'node-compile-cache'));
require(ENTRY);

// Compiles src/ into dist/ (tsconfig.build.json) for `node dist/server.js`.
//
//   node scripts/build-server.mjs             compile
//   node scripts/build-server.mjs --if-stale  compile only when a file under src/ (or the
//                                             compiler settings) changed since the last build:
//                                             what `npm start` runs first, so a pulled change
//                                             never starts as the old build
//
// TypeScript is a build-time dependency: an install without it (npm ci --omit=dev on a server
// that receives a built dist/) skips the build instead of failing, as scripts/build-web.mjs does.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const STAMP = 'dist/.tsbuildinfo';
const require = createRequire(import.meta.url);

/** The newest modification time under a directory (or of a file). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

if (process.argv.includes('--if-stale') && existsSync(STAMP) && existsSync('dist/server.js')) {
  const built = statSync(STAMP).mtimeMs;
  const sources = Math.max(newest('src'), newest('tsconfig.json'), newest('tsconfig.build.json'));
  if (sources <= built) process.exit(0);
}

let tsc;
try {
  tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  console.log(
    `server: typescript is not installed, not compiling src/ (${existsSync('dist/server.js') ? 'dist/ is kept' : 'no dist/'})`,
  );
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (result.status === 0) {
  // An incremental build that changed nothing leaves its info file as it was: mark it fresh.
  const now = new Date();
  utimesSync(STAMP, now, now);
  console.log('server: compiled src/ into dist/ (node dist/server.js)');
}
process.exit(result.status ?? 1);

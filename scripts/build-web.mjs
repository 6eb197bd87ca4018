// npm install's last step: builds the back office (web/) into web/dist, which the API serves at
// /admin/. Vite is a build-time dependency: an install without it (npm ci --omit=dev on a server
// that receives a built web/dist) skips the build instead of failing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let vite;
try {
  // The package's exports hide its bin; its package.json is exported and sits beside it.
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.log(
    `back office: vite is not installed, not building web/ (${existsSync('web/dist') ? 'web/dist is kept' : 'no web/dist'})`,
  );
  process.exit(0);
}
const result = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' });
if (result.status === 0) console.log('back office: built web/dist (served at /admin/)');
process.exit(result.status ?? 1);

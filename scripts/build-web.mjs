// npm install's last step: builds the two web apps of web/, which the API serves: the back office
// into web/dist (at /admin/) and the doctor's workspace into web/dist-doctor (at /doctor/). Vite
// is a build-time dependency: an install without it (npm ci --omit=dev on a server that receives
// the built folders) skips the build instead of failing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const APPS = [
  { name: 'back office', args: ['web'], dist: 'web/dist', at: '/admin/' },
  {
    name: 'doctor workspace',
    args: ['--config', 'web/vite.doctor.config.ts'],
    dist: 'web/dist-doctor',
    at: '/doctor/',
  },
];

const require = createRequire(import.meta.url);
let vite;
try {
  // The package's exports hide its bin; its package.json is exported and sits beside it.
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  for (const app of APPS) {
    const kept = existsSync(app.dist) ? `${app.dist} is kept` : `no ${app.dist}`;
    console.log(`${app.name}: vite is not installed, not building it (${kept})`);
  }
  process.exit(0);
}
for (const app of APPS) {
  const result = spawnSync(process.execPath, [vite, 'build', ...app.args, '--logLevel', 'warn'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`${app.name}: built ${app.dist} (served at ${app.at})`);
}

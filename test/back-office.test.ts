// The back office's files at /admin/: the page (never cached, its own policy), its hashed assets
// (cached for a year), and a 404 for an asset that is not there. test/back-office-browser.test.ts
// drives the app itself.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BACK_OFFICE_CSP, BACK_OFFICE_DIST } from '../src/http/back-office.js';
import { build } from './helpers.js';

test('/admin/ is the back office page, with a policy that allows only this origin', async (t) => {
  const ta = await build(t);
  for (const url of ['/admin/', '/admin', '/admin/orders/CX123']) {
    const res = await ta.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<div id="root"><\/div>/);
    assert.match(res.body, /src="\/admin\/assets\/index-[\w-]+\.js"/);
    assert.equal(res.headers['content-security-policy'], BACK_OFFICE_CSP);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
  const script = readdirSync(join(BACK_OFFICE_DIST, 'assets')).find((f) => f.endsWith('.js'));
  assert.ok(script, 'npm install builds web/dist (scripts/build-web.mjs)');
  const asset = await ta.app.inject({ method: 'GET', url: `/admin/assets/${script}` });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);
  assert.match(String(asset.headers['cache-control']), /max-age=31536000.*immutable/);

  const missing = await ta.app.inject({ method: 'GET', url: '/admin/assets/index-gone.js' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'ROUTE_NOT_FOUND');
});

// The interactive reference at /docs as the app's own HTTP rules leave it: served without a key,
// every asset from this origin, missing files a 404, the same document as /openapi.json.
// test/docs-browser.test.ts drives it in a real browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, envelope } from './helpers.js';

/** The script and stylesheet URLs a page loads. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"/g)].map((m) => m[1]!);
}

test('/docs needs no key and loads only assets this server serves', async (t) => {
  const ta = await build(t);
  for (const url of ['/docs', '/docs/']) {
    const page = await ta.app.inject({ method: 'GET', url });
    assert.equal(page.statusCode, 200, url);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    // Only this origin, whatever the page tries (see http/docs.ts).
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/);

    const assets = assetUrls(page.body);
    assert.ok(
      assets.some((a) => a.endsWith('/swagger-ui-bundle.js')),
      page.body,
    );
    assert.ok(
      assets.some((a) => a.endsWith('/swagger-ui.css')),
      page.body,
    );
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} is not on this server`);
      const resolved = new URL(asset, `http://localhost${url}`).pathname;
      const res = await ta.app.inject({ method: 'GET', url: resolved });
      assert.equal(res.statusCode, 200, `${resolved}: ${res.body.slice(0, 200)}`);
      const type = String(res.headers['content-type']);
      if (resolved.endsWith('.js')) assert.match(type, /^application\/javascript/, resolved);
      if (resolved.endsWith('.css')) assert.match(type, /^text\/css/, resolved);
      if (resolved.endsWith('.png')) assert.match(type, /^image\/png/, resolved);
      assert.ok(res.rawPayload.length > 0, resolved);
    }
  }
});

test('the page reads the same document as /openapi.json, with its four security schemes', async (t) => {
  const ta = await build(t);
  const initializer = await ta.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  assert.equal(initializer.statusCode, 200);
  assert.match(initializer.body, /resolveUrl\('\.\/json'\)/);
  // No badge from the public validator (validator.swagger.io); test/docs-browser.test.ts sees
  // that the page asks no other host for anything.
  assert.match(initializer.body, /validatorUrl: null/);

  const fromDocs = await ta.app.inject({ method: 'GET', url: '/docs/json' });
  const published = await ta.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(fromDocs.statusCode, 200);
  assert.deepEqual(fromDocs.json(), published.json());
  assert.deepEqual(Object.keys(fromDocs.json().components.securitySchemes).sort(), [
    'adminSession',
    'apiKey',
    'bearer',
    'doctorSession',
  ]);
  // The reference's own routes are not part of the API it describes.
  assert.deepEqual(
    Object.keys(published.json().paths).filter((p) => p.startsWith('/docs')),
    [],
  );
});

test('static assets under the app rules: HEAD, 404 for a missing file, 405 for a wrong method, no no-store', async (t) => {
  const ta = await build(t, { captureLogs: true });
  const head = await ta.app.inject({ method: 'HEAD', url: '/docs/static/swagger-ui.css' });
  assert.equal(head.statusCode, 200);
  assert.match(String(head.headers['content-type']), /^text\/css/);
  // Public assets: the no-store rule is for /api answers, which carry personal data.
  assert.notEqual(head.headers['cache-control'], 'no-store');
  assert.ok(head.headers['x-request-id']);

  const missing = await ta.app.inject({ method: 'GET', url: '/docs/static/no-such-file.js' });
  assert.equal(missing.statusCode, 404);
  assert.equal(envelope(missing).code, 'ROUTE_NOT_FOUND');

  const traversal = await ta.app.inject({ method: 'GET', url: '/docs/static/..%2f..%2fpackage.json' });
  assert.equal(traversal.statusCode, 404);
  assert.doesNotMatch(traversal.body, /cexup-patient-api/);

  const post = await ta.app.inject({ method: 'POST', url: '/docs/static/swagger-ui.css', payload: {} });
  assert.equal(post.statusCode, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  assert.equal(envelope(post).code, 'METHOD_NOT_ALLOWED');

  // A NUL in the path is refused like anywhere else.
  const nul = await ta.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css%00.js' });
  assert.equal(nul.statusCode, 422);

  // One request line each, with the route pattern and the status.
  const lines = ta.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
  assert.deepEqual(
    lines.map((l) => [l.method, l.route, l.status]),
    [
      ['HEAD', '/docs/static/*', 200],
      ['GET', 'unmatched', 404],
      ['GET', 'unmatched', 404],
      ['POST', 'unmatched', 405],
      ['GET', '/docs/static/*', 422],
    ],
  );
});

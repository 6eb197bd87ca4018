import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from '../../test/helpers.js';
import { HOME_LINKS } from './home.js';

test('GET / in a browser: a page saying what this is, linking the docs, both web apps and /health', async (t) => {
  const ta = await build(t);
  const res = await ta.app.inject({
    method: 'GET',
    url: '/',
    headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
  });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, /<h1[^>]*>Cexup Patient API<\/h1>/);
  for (const href of Object.values(HOME_LINKS)) assert.ok(res.body.includes(`href="${href}"`), href);
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  assert.doesNotMatch(res.body, /<script/);
  // Every link leads somewhere that answers.
  for (const href of Object.values(HOME_LINKS)) {
    const linked = await ta.app.inject({ method: 'GET', url: href, headers: { accept: 'text/html' } });
    assert.ok([200, 503].includes(linked.statusCode), `${href}: ${linked.statusCode}`);
  }
});

test('GET / from a script: the envelope, with the same links', async (t) => {
  const ta = await build(t);
  for (const accept of [undefined, 'application/json', '*/*']) {
    const res = await ta.app.inject({ method: 'GET', url: '/', headers: accept ? { accept } : {} });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), {
      success: true,
      message: 'OK.',
      data: { name: 'Cexup Patient API', links: HOME_LINKS },
    });
    assert.match(String(res.headers.vary), /Accept/);
  }
});

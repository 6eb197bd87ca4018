// The interactive reference in a real browser (playwright-core driving Debian's chromium) on a
// really listening server with demo data: the demo key goes into "Authorize", the demo patient
// logs in through "Try it out", and the page shows the 200.
//
// Without chromium the test is skipped, unless REQUIRE_BROWSER_TEST=1 (CI): then it fails.
// Nothing is downloaded: playwright-core never fetches browsers, and the page may only talk to
// the server under test.
import assert from 'node:assert/strict';

import { test } from 'node:test';
import { DEMO_PATIENT } from '../src/demo.js';
import { browserWorld, CHROMIUM, MISSING, skipWithoutBrowser } from './browser.js';

const DEMO_KEY = 'browser-test-demo-key-0001';

// Demo mode on an empty database: the demo key (chosen here), the demo patient, the catalogue.
const world = browserWorld({ CEXUP_DEMO_API_KEY: DEMO_KEY });

const skip = skipWithoutBrowser;

test('/docs: Authorize with the demo key, then "Try it out" on login answers 200 on the page', { skip }, async () => {
  assert.ok(!MISSING, `REQUIRE_BROWSER_TEST=1 but there is no browser at ${CHROMIUM} (apt-get install -y chromium)`);
  const base = world.server.baseUrl;
  const context = await world.browser.newContext();
  try {
    const page = await context.newPage();
    // Anything for another host is refused and recorded: the page must work with no internet.
    const elsewhere: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`) || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });

    const loaded = await page.goto(`${base}/docs`);
    assert.equal(loaded?.status(), 200);
    const login = page.locator('.opblock').filter({ has: page.locator('[data-path="/api/login/patient"]') });
    await login.waitFor({ timeout: 30_000 });

    // "Authorize": the demo key in the x-api-key scheme.
    await page.locator('.auth-wrapper .authorize').click();
    const apiKeyBox = page.locator('.dialog-ux .auth-container').filter({ hasText: 'x-api-key' });
    await apiKeyBox.locator('input').fill(DEMO_KEY);
    await apiKeyBox.locator('button[type=submit]').click();
    await apiKeyBox.getByText('Authorized').waitFor();
    await apiKeyBox.getByRole('button', { name: 'Close' }).click();

    // "Try it out" on the login operation with the demo patient.
    await login.locator('.opblock-summary-control').click();
    await login.getByRole('button', { name: 'Try it out' }).click();
    await login
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ email: DEMO_PATIENT.username, password: DEMO_PATIENT.password }));
    const answered = page.waitForResponse((r) => r.url() === `${base}/api/login/patient`);
    await login.getByRole('button', { name: 'Execute' }).click();
    const answer = await answered;
    assert.equal(answer.request().headers()['x-api-key'], DEMO_KEY, 'the page did not send the key from Authorize');

    // What the page shows: the status and the body of the live answer.
    const live = login.locator('.live-responses-table');
    await live.waitFor();
    assert.equal((await live.locator('tr.response .response-col_status').innerText()).trim(), '200');
    const body = await live.locator('tr.response .response-col_description pre.microlight').first().innerText();
    assert.match(body, /"access_token": "cxp_/);
    assert.match(body, new RegExp(`"username": "${DEMO_PATIENT.username}"`));

    assert.deepEqual(elsewhere, [], 'the page asked other hosts for something');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

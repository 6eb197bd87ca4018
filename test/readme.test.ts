// The curl commands of the walk-throughs (README.md and every docs/*.md) against the OpenAPI
// document: each calls an operation the document has, with the method it has, sends the
// credentials its security asks for, and sends only body fields and query parameters the
// document names.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { build } from './helpers.js';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}
type Document = { paths: Record<string, Record<string, Operation>> };

interface Curl {
  /** `file:line`, the file relative to the repository. */
  where: string;
  text: string;
  method: string;
  path: string;
  query: string[];
  body: Record<string, unknown> | undefined;
}

/** README.md and every Markdown file directly under docs/, relative to the repository. */
function walkThroughFiles(): string[] {
  const docs = readdirSync(new URL('../docs/', import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => `docs/${entry.name}`)
    .sort();
  return ['README.md', ...docs];
}

/** Every curl call to $API in a Markdown text's shell blocks, continuation lines joined. */
function curlsOf(file: string, markdown: string): Curl[] {
  const curls: Curl[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const startLine = markdown.slice(0, block.index).split('\n').length + 1;
    const lines = block[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i]!;
      const first = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + lines[++i]!;
      const call = /curl\s.*?\s"?\$API(\/[^\s"?]*)(\?[^\s"]*)?"?/.exec(text);
      if (!call) continue;
      const method = /-X\s+([A-Z]+)/.exec(text)?.[1] ?? (/\s-d\s/.test(text) ? 'POST' : 'GET');
      curls.push({
        where: `${file}:${startLine + first}`,
        text,
        method,
        path: `/api${call[1]!}`,
        query: [...new URLSearchParams(call[2] ?? '').keys()],
        body: jsonBody(text),
      });
    }
  }
  return curls;
}

function readCurls(file: string): Curl[] {
  return curlsOf(file, readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
}

/** The -d body: '...' as written, or "..." with its shell escapes and substitutions read as strings. */
function jsonBody(text: string): Record<string, unknown> | undefined {
  const single = /\s-d\s+'([^']*)'/.exec(text);
  if (single) return JSON.parse(single[1]!) as Record<string, unknown>;
  const double = /\s-d\s+"((?:[^"\\]|\\.)*)"/.exec(text);
  if (double) {
    const json = double[1]!.replace(/\$\([^)]*\)/g, 'x').replace(/\\(.)/g, '$1');
    return JSON.parse(json) as Record<string, unknown>;
  }
  return undefined;
}

/**
 * The document's path template that matches a walk-through's path (<placeholders> stand for
 * parameters): a literal segment before a parameter, as the router does.
 */
function findPath(document: Document, path: string): string | undefined {
  const params = (template: string) => template.split('{').length;
  return Object.keys(document.paths)
    .filter((template) => {
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      return new RegExp(`^${pattern}$`).test(path);
    })
    .sort((a, b) => params(a) - params(b))[0];
}

/** Checks one curl call against the document; throws (an AssertionError) at the first fault. */
function checkCurl(document: Document, curl: Curl): void {
  const where = `${curl.where}: ${curl.method} ${curl.path}`;
  const template = findPath(document, curl.path);
  assert.ok(template, `${where}: no such path in the document`);
  const operation = document.paths[template]![curl.method.toLowerCase()];
  assert.ok(operation, `${where}: the document has no ${curl.method} on ${template}`);

  // The credentials its first security requirement names.
  const schemes = Object.keys(operation.security?.[0] ?? {});
  if (schemes.includes('apiKey')) assert.match(curl.text, /-H "x-api-key: \$KEY"/, `${where}: no x-api-key`);
  if (schemes.includes('bearer')) assert.match(curl.text, /Authorization: Bearer \$/, `${where}: no Bearer token`);

  const properties = Object.keys(operation.requestBody?.content?.['application/json']?.schema?.properties ?? {});
  const queryNames = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  for (const name of curl.query) {
    assert.ok(queryNames.includes(name) || properties.includes(name), `${where}: undocumented parameter ${name}`);
  }
  // A body schema that names its fields: the walk-through sends no other.
  if (curl.body !== undefined && properties.length > 0) {
    for (const name of Object.keys(curl.body)) {
      assert.ok(properties.includes(name), `${where}: undocumented body field ${name}`);
    }
  }
}

test('every curl call in README.md and docs/*.md is an operation of the document, called as it says', async (t) => {
  const ta = await build(t);
  const document = (await ta.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  const files = walkThroughFiles();
  const curls = files.flatMap(readCurls);

  // Not vacuous: the README's tour, and the topic files' walk-throughs (accounts, booking,
  // notifications, data rights, the back office's API ...) are all found.
  const readme = curls.filter((curl) => curl.where.startsWith('README.md:'));
  assert.ok(readme.length >= 5, `only ${readme.length} curl calls found in README.md`);
  assert.ok(curls.length >= 40, `only ${curls.length} curl calls found in ${files.join(', ')}`);
  assert.ok(new Set(curls.map((curl) => curl.where.split(':')[0])).size >= 5, 'curl calls in fewer than 5 files');

  for (const curl of curls) checkCurl(document, curl);
});

test('a wrong curl call fails the check', async (t) => {
  const ta = await build(t);
  const document = (await ta.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  const wrong = (line: string) => curlsOf('wrong.md', '```sh\n' + line + '\n```\n');
  const faults: [string, RegExp][] = [
    [`curl -s $API/no-such-route -H "x-api-key: $KEY"`, /no such path/],
    [`curl -s -X DELETE $API/login/patient -H "x-api-key: $KEY"`, /has no DELETE/],
    [`curl -s $API/me -H "Authorization: Bearer $TOKEN"`, /no x-api-key/],
    [`curl -s $API/me -H "x-api-key: $KEY"`, /no Bearer token/],
    [
      `curl -s "$API/notifications?colour=red" -H "x-api-key: $KEY" -H "Authorization: Bearer $TOKEN"`,
      /parameter colour/,
    ],
    [`curl -s -X POST $API/login/patient -H "x-api-key: $KEY" -d '{"email":"demo","pin":"1"}'`, /body field pin/],
  ];
  for (const [line, message] of faults) {
    const curls = wrong(line);
    assert.equal(curls.length, 1, `not read as one curl call: ${line}`);
    assert.throws(() => checkCurl(document, curls[0]!), message, line);
  }
  // And the right form of the same calls passes.
  const right = wrong(`curl -s $API/me -H "x-api-key: $KEY" -H "Authorization: Bearer $TOKEN"`);
  assert.doesNotThrow(() => checkCurl(document, right[0]!));
});

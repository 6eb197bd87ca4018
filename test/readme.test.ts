// The curl commands of README.md against the OpenAPI document: each calls an operation the
// document has, with the method it has, sends the credentials its security asks for, and sends
// only body fields and query parameters the document names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { build } from './helpers.js';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}
type Document = { paths: Record<string, Record<string, Operation>> };

interface Curl {
  line: number;
  text: string;
  method: string;
  path: string;
  query: string[];
  body: Record<string, unknown> | undefined;
}

/** Every curl call to $API in the README's shell blocks, continuation lines joined. */
function readmeCurls(): Curl[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const curls: Curl[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const startLine = readme.slice(0, block.index).split('\n').length + 1;
    const lines = block[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i]!;
      const first = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + lines[++i]!;
      const call = /curl\s.*?\s"?\$API(\/[^\s"?]*)(\?[^\s"]*)?"?/.exec(text);
      if (!call) continue;
      const method = /-X\s+([A-Z]+)/.exec(text)?.[1] ?? (/\s-d\s/.test(text) ? 'POST' : 'GET');
      curls.push({
        line: startLine + first,
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
 * The document's path template that matches a README path (<placeholders> stand for parameters):
 * a literal segment before a parameter, as the router does.
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

test('every curl call in the README is an operation of the document, called as it says', async (t) => {
  const ta = await build(t);
  const document = (await ta.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  const curls = readmeCurls();
  // The walk-through, the back office and the booking examples.
  assert.ok(curls.length >= 20, `only ${curls.length} curl calls found`);

  for (const curl of curls) {
    const where = `README.md:${curl.line}: ${curl.method} ${curl.path}`;
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
    // A body schema that names its fields: the README sends no other.
    if (curl.body !== undefined && properties.length > 0) {
      for (const name of Object.keys(curl.body)) {
        assert.ok(properties.includes(name), `${where}: undocumented body field ${name}`);
      }
    }
  }
});

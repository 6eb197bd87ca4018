// The route table in app.ts's comment is a reader's map of the API: this keeps it true. Every
// route it names is registered, and every registered route (outside the web apps' files and the
// reference) is named by it, or lies under a prefix it names ("/api/admin/...").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { build } from '../test/helpers.js';

interface Table {
  routes: Set<string>;
  prefixes: string[];
}

/** `METHOD[|METHOD] /path[, METHOD /path ...]` entries of the table's lines, and `/prefix/...` lines. */
function routeTable(): Table {
  const source = readFileSync(new URL('./app.ts', import.meta.url), 'utf8');
  const start = source.indexOf('// The route table.');
  assert.ok(start > 0, 'app.ts has its route table');
  const lines: string[] = [];
  for (const line of source.slice(start).split('\n').slice(1)) {
    if (!line.trim().startsWith('//')) break;
    lines.push(line.trim().replace(/^\/\/\s?/, ''));
  }
  const routes = new Set<string>();
  const prefixes: string[] = [];
  for (const line of lines.map((l) => l.trim())) {
    const prefix = /^(\/\S+)\/\.\.\.(\s|$)/.exec(line);
    if (prefix) prefixes.push(`${prefix[1]}/`);
    // "GET|POST /a, /b; POST /c  key  module": a path without a method takes the previous one's.
    let methods: string[] = [];
    for (const part of line.split(/[,;]\s*/)) {
      const m = /^((?:GET|POST|PUT|DELETE|PATCH)(?:\|(?:GET|POST|PUT|DELETE|PATCH))*)\s+(\/\S*)/.exec(part);
      const path = m ? m[2]! : /^(\/\S*)/.exec(part)?.[1];
      if (m) methods = m[1]!.split('|');
      if (path === undefined || methods.length === 0 || path.endsWith('/...')) continue;
      for (const method of methods) routes.add(`${method} ${path}`);
    }
  }
  return { routes, prefixes };
}

test('the route table in app.ts names every route, and only routes that exist', async (t) => {
  const ta = await build(t);
  const registered = new Set(
    ta.app.registeredRoutes
      .filter((r) => !r.hidden)
      .flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url}`))
      .filter((r) => !r.startsWith('HEAD ')),
  );
  const { routes, prefixes } = routeTable();
  assert.ok(routes.size > 40, `only ${routes.size} routes read from the table`);
  assert.deepEqual(
    [...routes].filter((r) => !registered.has(r)),
    [],
    'the table names routes that are not registered',
  );
  const underPrefix = (r: string) => prefixes.some((p) => r.split(' ')[1]!.startsWith(p));
  assert.deepEqual(
    [...registered].filter((r) => !routes.has(r) && !underPrefix(r)).sort(),
    [],
    'registered routes the table does not name',
  );
});

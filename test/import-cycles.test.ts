// No import cycle under src/ (issue #16): modules see each other through their index.ts, and a
// cycle among the files that run (type-only imports are erased) would let a module read another's
// exports before they exist. The check walks the relative imports of every non-test file.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './multiprocess-helpers.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The files a file imports at run time: relative `import`/`export ... from`, not `import type`. */
export function runtimeImports(file: string, source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';/gms)) {
    if (m[1] !== undefined) continue;
    const target = normalize(join(dirname(file), m[2]!)).replace(/\.js$/, '.ts');
    if (existsSync(target)) out.push(target);
  }
  return out;
}

/** Every cycle's files, found by depth-first search (one cycle reported per back edge). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

test('no import cycle among the files under src/', () => {
  const files = sourceFiles(join(ROOT, 'src'));
  assert.ok(files.length > 100, `only ${files.length} files`);
  const graph = new Map(files.map((f) => [f, runtimeImports(f, readFileSync(f, 'utf8'))]));
  assert.ok([...graph.values()].flat().length > 300, 'the imports were read');
  assert.deepEqual(
    cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' -> ')),
    [],
  );
});

test('the check finds a cycle where there is one, and ignores type-only imports', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['a.ts']],
  ]);
  assert.deepEqual(cycles(graph), [['a.ts', 'b.ts', 'c.ts']]);
  const here = join(ROOT, 'src', 'modules', 'booking', 'x.ts');
  const source = "import type { Db } from '../../db/index.js';\nimport { AppError } from '../../http/errors.js';\n";
  assert.deepEqual(
    runtimeImports(here, source).map((f) => relative(ROOT, f)),
    ['src/http/errors.ts'],
  );
});

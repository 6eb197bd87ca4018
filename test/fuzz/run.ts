import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { contractProblems } from '../contract.js';
import { onPostgres } from '../helpers.js';
import { requestsFor, type FuzzRequest, type Operation } from './requests.js';
import {
  createWorld,
  credentials,
  DESTRUCTIVE,
  hintsFor,
  opKey,
  replaceThrowaway,
  rolesOf,
  type World,
} from './world.js';

/**
 * The fuzz suite: for every operation of the app's own OpenAPI document, FUZZ_RUNS generated
 * malformed (and near-valid) requests with valid credentials. No answer may be a 5xx, every
 * error must be the envelope the document describes, and no body may show a stack trace or SQL.
 * The operations are shared out between test files (shards), so two cores run them at once.
 *
 *   FUZZ_SEED=123 FUZZ_RUNS=1000 node scripts/test.mjs fuzz
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_701);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Requests in flight at once (on one operation): lets database and password-hash waits overlap. */
const CONCURRENCY = 4;

/** What a body must never show: stack frames, source paths, SQL and database driver messages. */
const LEAKS: [string, RegExp][] = [
  ['stack frame', / {4}at /],
  ['source path', /\.(ts|js|mjs):\d+/],
  ['node_modules', /node_modules/],
  ['SQL', /\bSELECT |\bINSERT |\bselect "|\binsert into\b|\bdelete from\b|\bupdate "/],
  ['database driver', /sqlite|SQLITE_|syntax error|relation "|violates |duplicate key|invalid input syntax/i],
  ['database driver', /out of range for type|column "|no such (table|column)|constraint failed|Kysely/i],
];

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the document, in its order. */
function operations(doc: { paths: Record<string, Record<string, Operation['spec']>> }): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  );
}

/** A seed of its own for each operation, so a new route does not change the others' requests. */
function seedOf(op: Operation): number {
  return (SEED ^ createHash('sha256').update(opKey(op)).digest().readInt32LE(0)) | 0;
}

interface Finding {
  op: string;
  problem: string;
  request: string;
  answer: string;
}

const shorten = (text: string, n = 300) => (text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text);

function describe(req: FuzzRequest, method: string): string {
  const body = req.payload === undefined ? '' : ` body ${JSON.stringify(shorten(req.payload, 200))}`;
  const type = req.headers['content-type'] === undefined ? '' : ` [${req.headers['content-type']}]`;
  return `${req.kind}: ${method} ${shorten(req.url, 200)}${type}${body}`;
}

/** Every string (keys too) of a JSON text, one a line; '' when it is not JSON. */
function decodedStrings(text: string): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, inner] of Object.entries(v)) {
        out.push(k);
        walk(inner);
      }
    }
  };
  try {
    walk(JSON.parse(text));
  } catch {
    // Not JSON: the raw text was read already.
  }
  return out.join('\n');
}

/** What is wrong with one answer ([] when it is a clean one), and its body when it is JSON. */
export function check(res: LightMyRequestResponse): { problems: string[]; body: any } {
  const problems: string[] = [];
  const done = (body?: any) => ({ problems, body });
  const status = res.statusCode;
  if (status >= 500) problems.push(`status ${status}`);
  const type = String(res.headers['content-type'] ?? '');
  const text = res.body;
  if (!type.startsWith('image/')) {
    // In JSON text a quote is \" and a line break \n: the patterns read the decoded strings too.
    const readable = type.includes('json') ? `${text}\n${decodedStrings(text)}` : text;
    const found = new Set(LEAKS.filter(([, pattern]) => pattern.test(readable)).map(([what]) => what));
    for (const what of found) problems.push(`${what} in the body`);
  }
  if (status === 304 || status === 204) {
    if (text !== '') problems.push(`a body on ${status}`);
    return done();
  }
  if (!type.includes('json')) {
    // HTML pages, YAML, images: fine as answers, never as errors.
    if (status >= 400) problems.push(`error not in the envelope (${type || 'no content type'})`);
    return done();
  }
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    problems.push('JSON content type, body not JSON');
    return done();
  }
  if (typeof body !== 'object' || body === null || typeof body.success !== 'boolean') {
    problems.push('not the envelope: no boolean success');
    return done(body);
  }
  if (typeof body.message !== 'string' || body.message === '') problems.push('envelope without a message');
  if (!('data' in body)) problems.push('envelope without data');
  if (status >= 400) {
    if (body.success !== false) problems.push('error with success: true');
    if (typeof body.code !== 'string') problems.push('error without a code');
    if (body.data !== null) problems.push('error with data');
    if (body.errors !== undefined) {
      const ok =
        status === 422 &&
        typeof body.errors === 'object' &&
        Object.values(body.errors).every((m) => Array.isArray(m) && m.every((s) => typeof s === 'string'));
      if (!ok) problems.push('malformed errors');
    }
  } else if (body.success !== true) {
    problems.push(`status ${status} with success: false`);
  }
  return done(body);
}

/** Whether the token the operation was given still opens a session. */
async function stillValid(w: World, headers: Record<string, string>): Promise<boolean> {
  const token = headers.authorization?.slice('Bearer '.length);
  if (token === undefined) return true;
  return (await w.ta.app.services.accounts.authenticate(token, w.ta.appId)) !== undefined;
}

/**
 * Fuzzes the operations of this shard (every `shards`-th operation of the document, from the
 * `shard`-th) and fails the test on any bad answer.
 */
export async function fuzzShard(t: TestContext, shard: number, shards: number): Promise<void> {
  const started = performance.now();
  const w = await createWorld(t);
  const docRes = await w.ta.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(docRes.statusCode, 200);
  const all = operations(docRes.json());
  assert.ok(all.length > 100, `only ${all.length} operations in the document`);
  const ops = all.filter((_op, i) => i % shards === shard);

  const findings: Finding[] = [];
  const contract: Finding[] = [];
  const sent = new Map<string, number>();
  const statuses = new Map<number, number>();
  let requestNo = 0;
  let lostCredentials = 0;
  /** "operation role" of every token role each operation was sent with. */
  const triedRoles = new Set<string>();
  const timings: [string, number][] = [];

  for (const op of ops) {
    const key = opKey(op);
    const opStarted = performance.now();
    const samples = fc.sample(requestsFor(op, hintsFor(w, op)), { seed: seedOf(op), numRuns: RUNS });
    const destructive = DESTRUCTIVE.has(key);
    // An operation open to several roles gets their tokens in turn.
    const roles = rolesOf(op);
    let nth = 0;

    const send = async (req: FuzzRequest) => {
      requestNo += 1;
      const role = roles[nth++ % roles.length]!;
      triedRoles.add(`${key} ${role}`);
      const auth = credentials(w, op, role);
      const headers = { ...req.headers, ...auth };
      const res = await w.ta.app.inject({
        method: op.method as 'GET',
        url: req.url,
        headers,
        ...(req.payload !== undefined ? { payload: req.payload } : {}),
        // Each request from an address of its own: per-address limits do not end the run early.
        remoteAddress: `10.${(requestNo >> 16) & 255}.${(requestNo >> 8) & 255}.${requestNo & 255}`,
      });
      sent.set(key, (sent.get(key) ?? 0) + 1);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const record = (list: Finding[], problem: string) =>
        list.push({ op: key, problem, request: describe(req, op.method), answer: shorten(res.body, 400) });
      const { problems, body } = check(res);
      for (const problem of problems) record(findings, problem);
      for (const problem of contractProblems(w.ta.app, op.method, req.url, res)) record(contract, problem);
      if (body?.code === 'API_KEY_INVALID' && auth['x-api-key'] !== undefined) record(findings, 'valid key refused');
      if (body?.code === 'UNAUTHENTICATED') {
        if (await stillValid(w, auth)) record(findings, 'valid token refused');
        else lostCredentials += 1;
      }
      if (destructive && res.statusCode < 300) await replaceThrowaway(w, role);
    };

    if (destructive) {
      for (const req of samples) await send(req);
    } else {
      let next = 0;
      const worker = async () => {
        while (next < samples.length) await send(samples[next++]!);
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }
    timings.push([key, performance.now() - opStarted]);
  }

  const total = [...sent.values()].reduce((a, b) => a + b, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
  t.diagnostic(
    `${onPostgres ? 'PostgreSQL' : 'SQLite'}, shard ${shard + 1}/${shards}: ${ops.length} of ${all.length} ` +
      `operations, ${total} requests in ${seconds} s ` +
      `(seed ${SEED}, ${RUNS} a operation); statuses ${byStatus.join(', ')}`,
  );

  if (process.env.FUZZ_VERBOSE) {
    const slowest = timings.sort(([, a], [, b]) => b - a).slice(0, 25);
    t.diagnostic(`slowest: ${slowest.map(([k, ms]) => `${k} ${ms} ms`).join('; ')}`);
  }
  const report = (list: Finding[]) => {
    const byProblem = new Map<string, Finding[]>();
    for (const f of list) {
      const k = `${f.op}: ${f.problem.split('\n')[0]!.slice(0, 160)}`;
      byProblem.set(k, [...(byProblem.get(k) ?? []), f]);
    }
    return [...byProblem]
      .map(([k, fs]) => `${k} (${fs.length}×)\n    ${fs[0]!.request}\n    → ${fs[0]!.answer}`)
      .join('\n');
  };
  assert.equal(
    lostCredentials,
    0,
    'a credential stopped working during the run: later requests did not reach handlers',
  );
  assert.equal(findings.length, 0, `FUZZ_SEED=${SEED}: ${findings.length} bad answers\n${report(findings)}`);
  assert.equal(
    contract.length,
    0,
    `FUZZ_SEED=${SEED}: ${contract.length} answers the document does not describe\n${report(contract)}`,
  );
  assert.equal(sent.size, ops.length, "every operation of this shard's part of the document was fuzzed");
  for (const op of ops) assert.ok((sent.get(opKey(op)) ?? 0) >= RUNS, `${opKey(op)}: fewer than ${RUNS} requests`);
  for (const op of ops) {
    for (const role of rolesOf(op)) assert.ok(triedRoles.has(`${opKey(op)} ${role}`), `${opKey(op)}: no ${role} token`);
  }
}

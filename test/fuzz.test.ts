import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { check, fuzzShard } from './fuzz/run.js';

// The fuzz suite (test/fuzz/run.ts), first of two shards: the even operations of the document.
// test/fuzz-2.test.ts takes the odd ones, so the test runner runs the two halves at once.
test('fuzz 1/2: malformed requests get a clean 4xx envelope, never a 5xx or a leak', (t) => fuzzShard(t, 0, 2));

test('the fuzz checks catch what they look for', () => {
  const answer = (statusCode: number, body: string, type = 'application/json; charset=utf-8') =>
    ({ statusCode, body, headers: { 'content-type': type } }) as unknown as LightMyRequestResponse;
  const error = (extra: object) =>
    JSON.stringify({ success: false, message: 'No.', code: 'NOT_FOUND', data: null, ...extra });
  const problems = (statusCode: number, body: string, type?: string) => check(answer(statusCode, body, type)).problems;

  assert.deepEqual(problems(404, error({})), []);
  assert.deepEqual(problems(200, '<html></html>', 'text/html'), []);
  assert.deepEqual(problems(500, error({})), ['status 500']);
  assert.deepEqual(problems(400, error({ message: 'Error: x\n    at parse (/app/src/http/plumbing.ts:12:3)' })), [
    'stack frame in the body',
    'source path in the body',
  ]);
  assert.deepEqual(problems(422, error({ message: 'select "id" from "users" where "id" = $1' })), ['SQL in the body']);
  assert.deepEqual(problems(409, error({ message: 'SQLITE_CONSTRAINT: UNIQUE constraint failed' })), [
    'database driver in the body',
  ]);
  assert.deepEqual(problems(400, error({ message: 'relation "users" does not exist' })), [
    'database driver in the body',
  ]);
  assert.deepEqual(problems(400, 'Bad Request', 'text/plain'), ['error not in the envelope (text/plain)']);
  assert.deepEqual(problems(400, '{"error":"Bad Request"}'), ['not the envelope: no boolean success']);
  assert.deepEqual(problems(422, error({ data: {}, errors: { a: 'x' } })), ['error with data', 'malformed errors']);
  assert.deepEqual(problems(200, JSON.stringify({ success: false, message: 'x', data: null })), [
    'status 200 with success: false',
  ]);
});

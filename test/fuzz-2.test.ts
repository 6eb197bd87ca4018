import { test } from 'node:test';
import { fuzzShard } from './fuzz/run.js';

// The fuzz suite (test/fuzz/run.ts), second of two shards: the odd operations of the document.
test('fuzz 2/2: malformed requests get a clean 4xx envelope, never a 5xx or a leak', (t) => fuzzShard(t, 1, 2));

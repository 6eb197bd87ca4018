import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Opaque public id (user_id, app id): random, never sequential. */
export const newId = (): string => randomUUID();

/** A bearer token or API key: 256 random bits behind a readable prefix. */
export const newSecret = (prefix: 'cxp' | 'cxk'): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

/**
 * Tokens and API keys are checked on every request, so they are stored as a fast SHA-256:
 * they are long random values, which a slow password hash would add nothing to.
 */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

let pool = Buffer.alloc(0);
let poolOffset = 0;
/**
 * CSPRNG bytes handed out from a pool filled 8 KiB at a time, each byte once: a booking makes
 * several random ids, and one system call per id cost more than the rest of their making.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(Math.max(8192, size));
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  poolOffset += size;
  return out;
}

let sequence = 0;
/**
 * An id that sorts by time, then by creation order within this process (ties of one
 * millisecond), for rows read back in order: an order's history.
 */
export const newSortableId = (at: number): string =>
  `${Math.max(0, at).toString(36).padStart(10, '0')}${(sequence++ % 1_679_616).toString(36).padStart(4, '0')}${pooledRandomBytes(6).toString('hex')}`;

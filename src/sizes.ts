/**
 * A rough, conservative size in bytes of a cached value, for byte-bounded caches
 * (lru-cache's `sizeCalculation`). Strings count 2 bytes a character (V8 may keep them in
 * one), containers a fixed overhead plus their slots; Maps and Sets are walked too (a JSON-based
 * estimate would count them as empty). Shared objects are counted each time they are reached:
 * an overestimate, which only makes a bound stricter.
 */
export function approxBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 16 + value.length * 2;
  if (value === null || typeof value !== 'object') return 8;
  // Deeper than any cached resource: count it as a slot rather than walk on.
  if (depth > 8) return 64;
  let size = 32;
  if (Array.isArray(value)) {
    for (const item of value) size += 8 + approxBytes(item, depth + 1);
  } else if (value instanceof Map) {
    for (const [k, v] of value) size += 16 + approxBytes(k, depth + 1) + approxBytes(v, depth + 1);
  } else if (value instanceof Set) {
    for (const item of value) size += 16 + approxBytes(item, depth + 1);
  } else {
    for (const [k, v] of Object.entries(value)) size += 8 + approxBytes(k, depth + 1) + approxBytes(v, depth + 1);
  }
  return size;
}

export const MiB = 1024 * 1024;

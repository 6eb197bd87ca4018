import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on its first use, not at start. Image processing, HTML
 * sanitising, SMTP, PostgreSQL and Redis are needed by some deployments or some requests only,
 * and loading them all took a large share of a server's start (issue 7: a restarted process
 * must answer /health within 5 s).
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: { module: T } | undefined;
  return () => (loaded ??= { module: requireHere(id) as T }).module;
}

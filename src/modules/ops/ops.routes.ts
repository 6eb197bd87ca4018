import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { OPEN, op } from '../../http/openapi.js';
import { Envelope } from '../../http/schemas.js';
import type { Metrics } from './metrics.js';

const Status = (status: string) => Envelope(Type.Object({ status: Type.Literal(status) }, { examples: [{ status }] }));

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The Bearer token of a request equals the configured one (compared in constant time). */
function bearerMatches(request: FastifyRequest, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

/**
 * Probes for load balancers and orchestrators, outside /api and without a key; the metrics for
 * Prometheus, behind a token of their own.
 *
 *   GET /health   the process answers
 *   GET /ready    the database answers too (503 when it does not)
 *   GET /metrics  Prometheus text format; Bearer METRICS_TOKEN (404 while METRICS_TOKEN is unset)
 */
export async function opsRoutes(
  app: FastifyInstance,
  { db, metrics, metricsToken }: { db: Db; metrics: Metrics; metricsToken: string | undefined },
): Promise<void> {
  app.get(
    '/health',
    { schema: { ...op('ops', 'health', 'The process answers', OPEN), response: { 200: Status('ok') } } },
    async () => ({ success: true, message: 'OK.', data: { status: 'ok' } }),
  );

  const ready = {
    ...op('ops', 'ready', 'The database answers too (503 when not)', OPEN),
    response: { 200: Status('ready') },
  };
  app.get('/ready', { schema: ready }, async (request) => {
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      throw new AppError('SERVICE_UNAVAILABLE');
    }
    return { success: true, message: 'OK.', data: { status: 'ready' } };
  });

  const expected = metricsToken === undefined ? undefined : digest(metricsToken);
  const metricsSchema = {
    ...op(
      'ops',
      'metrics',
      'Prometheus metrics: Authorization: Bearer <METRICS_TOKEN> (404 while the server has none)',
      OPEN,
      ['UNAUTHENTICATED', 'ROUTE_NOT_FOUND'],
    ),
    description: [
      'Requests and latency by method, route pattern and status; booking outcomes; process metrics.',
      'Not under the app key: the token is `METRICS_TOKEN` from the server configuration, sent as',
      '`Authorization: Bearer <token>`. While it is unset the route answers 404 like an unknown path.',
    ].join(' '),
    response: {
      200: {
        description: 'The Prometheus text exposition format (version 0.0.4).',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  };
  app.get('/metrics', { schema: metricsSchema }, async (request, reply) => {
    if (expected === undefined) throw new AppError('ROUTE_NOT_FOUND');
    if (!bearerMatches(request, expected)) {
      throw new AppError('UNAUTHENTICATED', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
    }
    const { contentType, body } = await metrics.exposition();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { OPEN, op } from '../../http/openapi.js';
import { Envelope } from '../../http/schemas.js';

const Status = (status: string) => Envelope(Type.Object({ status: Type.Literal(status) }, { examples: [{ status }] }));

/**
 * Probes for load balancers and orchestrators, outside /api and without a key.
 *
 *   GET /health   the process answers
 *   GET /ready    the database answers too (503 when it does not)
 */
export async function opsRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
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
}

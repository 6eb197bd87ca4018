import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';

/**
 * Probes for load balancers and orchestrators, outside /api and without a key.
 *
 *   GET /health   the process answers
 *   GET /ready    the database answers too (503 when it does not)
 */
export async function opsRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get('/health', async () => ({ success: true, message: 'OK.', data: { status: 'ok' } }));

  app.get('/ready', async (request) => {
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      throw new AppError('SERVICE_UNAVAILABLE');
    }
    return { success: true, message: 'OK.', data: { status: 'ready' } };
  });
}

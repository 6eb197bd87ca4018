import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.js';
import type { Config } from '../../config.js';

/** The back office under /api/admin (to be built). */
export async function adminRoutes(
  _fastify: FastifyInstance,
  _deps: { services: Services; config: Config },
): Promise<void> {}

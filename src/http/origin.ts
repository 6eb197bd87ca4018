import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** The origin image URLs are built on: the configured public URL, else the request's own. */
export const baseUrlOf = (config: Pick<Config, 'publicUrl'>, request: FastifyRequest): string =>
  config.publicUrl ?? `${request.protocol}://${request.host}`;

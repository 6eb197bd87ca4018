import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The content ETag of a 200 GET answer, with `cache-control`; 304 and no body when the client's
 * If-None-Match already names it. Anything else passes as it is.
 */
function conditional(request: FastifyRequest, reply: FastifyReply, payload: unknown, cacheControl: string): unknown {
  if (request.method !== 'GET' && request.method !== 'HEAD') return payload;
  if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
  const etag = `"${createHash('sha1').update(payload).digest('base64url')}"`;
  void reply.header('etag', etag);
  void reply.header('cache-control', cacheControl);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
    void reply.code(304);
    return '';
  }
  return payload;
}

/**
 * onSend for public GET routes: a content ETag, a short shared-cache lifetime, Vary on what
 * changes the answer, and 304 when the client already has it. POST answers never get 304.
 */
export async function etagForGet(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (request.method === 'GET' || request.method === 'HEAD') {
    // Added to what is there already (Origin, when CORS answers vary by it).
    const vary = reply.getHeader('vary');
    if (reply.statusCode === 200 && typeof payload === 'string') {
      void reply.header(
        'vary',
        typeof vary === 'string' && vary !== '' ? `${vary}, x-api-key, Accept-Language` : 'x-api-key, Accept-Language',
      );
    }
  }
  return conditional(request, reply, payload, 'public, max-age=60');
}

/**
 * onSend for a private GET that clients poll (an inbox): a content ETag and 304 when the client
 * already has it, so polling costs a hash and no body; never stored by any cache (no-store).
 */
export async function privateEtag(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  return conditional(request, reply, payload, 'no-store');
}

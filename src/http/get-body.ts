import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError } from './errors.js';

/** A GET body is only a few pagination and filter fields: more than this is refused. */
const GET_BODY_LIMIT = 16 * 1024;

/**
 * The published document sends `data` and `page` of some GET routes in a JSON body, which
 * Fastify does not read on GET. Such a body, when there is one, is read here (JSON only, small,
 * with the POST routes' rules: malformed or `__proto__` → 400, too large → 413). The query
 * string still wins where both name a parameter.
 */
export async function readGetBody(request: FastifyRequest, payload: Readable): Promise<void> {
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || length === '0')) return;
  if (!chunked && !(Number(length) <= GET_BODY_LIMIT)) throw new AppError('PAYLOAD_TOO_LARGE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > GET_BODY_LIMIT) throw new AppError('PAYLOAD_TOO_LARGE');
    chunks.push(buf);
  }
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') return;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return;
  try {
    request.body = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new AppError('MALFORMED_JSON');
  }
}

// Every call of the back office goes through the shared typed client (client.ts); this adds
// react-admin's error shape.
import { HttpError } from 'react-admin';
import type { ErrorEnvelope } from './client';

export { api, setApiLanguage, setCsrfToken, type paths } from './client';

/**
 * The answer's data, or an HttpError carrying the API's message and, per field, its first
 * message: react-admin shows those under the fields of the form, which keeps what was typed.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = (result.error ?? {}) as ErrorEnvelope;
  const fields: Record<string, string> = {};
  for (const [field, messages] of Object.entries(body.errors ?? {})) {
    if (messages[0] !== undefined) fields[field] = messages[0];
  }
  throw new HttpError(body.message ?? result.response.statusText, result.response.status, {
    code: body.code,
    errors: fields,
    // Every message of every field (an import's problems, one a line).
    all: Object.values(body.errors ?? {}).flat(),
  });
}

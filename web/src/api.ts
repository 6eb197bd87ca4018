// Every call of the back office goes through openapi-fetch over the types generated from the
// API's OpenAPI document (clients/typescript/schema.ts), with the browser session's cookie.
import createClient, { type Middleware } from 'openapi-fetch';
import { HttpError } from 'react-admin';
import type { paths } from '../../clients/typescript/schema';

export type { paths };

let csrfToken: string | undefined;
let language = 'id';

/** The session's CSRF value, sent with every change (http/browser-session.ts on the server). */
export function setCsrfToken(value: string | undefined): void {
  csrfToken = value;
}

/** The language the API answers its messages in (Accept-Language). */
export function setApiLanguage(lang: string): void {
  language = lang;
}

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== undefined && request.method !== 'GET') request.headers.set('x-csrf-token', csrfToken);
    request.headers.set('accept-language', language);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

interface ErrorEnvelope {
  message?: string;
  code?: string;
  errors?: Record<string, string[]>;
}

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

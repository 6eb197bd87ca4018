// The typed client of both web apps (the back office and the doctor's workspace): openapi-fetch
// over the types generated from the API's OpenAPI document (clients/typescript/schema.ts), with
// the browser session's cookie. No react-admin here: the doctor's phone bundle imports this too.
import createClient, { type Middleware } from 'openapi-fetch';
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

/** The API's error envelope. */
export interface ErrorEnvelope {
  message?: string;
  code?: string;
  errors?: Record<string, string[]>;
}

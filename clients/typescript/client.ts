// A typed client for the Cexup Patient API: openapi-fetch over the types that
// `npm run client:generate` writes to schema.ts from the API's OpenAPI document.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

export interface CexupClientOptions {
  /** The API's origin, e.g. http://127.0.0.1:3000 (paths in the document start with /api). */
  baseUrl: string;
  /** The app's key, sent as x-api-key on every request. */
  apiKey: string;
}

export interface CexupClient extends Client<paths> {
  /** The Bearer token sent from now on (a login's access_token), or none. */
  setToken(token: string | undefined): void;
}

export function createCexupClient(options: CexupClientOptions): CexupClient {
  let token: string | undefined;
  const client = createClient<paths>({ baseUrl: options.baseUrl, headers: { 'x-api-key': options.apiKey } });
  // A middleware reads the token at each request, so one client serves before and after a login.
  const bearer: Middleware = {
    onRequest({ request }) {
      if (token !== undefined) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return Object.assign(client, {
    setToken(next: string | undefined) {
      token = next;
    },
  });
}

// The workspace's calls: the shared typed client (../client.ts, openapi-fetch over the generated
// schema), its answers' types taken from that schema, and one error type for the whole app.
import { api, type ErrorEnvelope, type paths } from '../client';

export { api };

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: infer R } }
  ? JsonOf<R>
  : never;

export type DoctorOrder = Ok<'/api/doctor-app/orders', 'get'>['data'][number];
export type DoctorOrderDetail = Ok<'/api/doctor-app/orders/{transaction_id}', 'get'>['data'];
export type Practice = Ok<'/api/doctor-app/practices', 'get'>['data'][number];
export type Leave = Ok<'/api/doctor-app/leave', 'get'>['data'][number];
export type FreeSlot = Ok<'/api/doctor-app/orders/{transaction_id}/free-slots', 'get'>['data'][number];
export type InboxPage = Ok<'/api/doctor-app/notifications', 'get'>;
export type Notification = InboxPage['data'][number];
export type SessionUser = Ok<'/api/doctor-app/session', 'get'>['data']['user'];

/** The API's refusal: its message (in the chosen language), code and per-field messages. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly fields: Record<string, string[]>,
  ) {
    super(message);
  }
}

let onSignedOut: () => void = () => undefined;
/** Called on any 401: the session ended (expired, or signed out everywhere). */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

/** The answer's body, or an ApiError carrying what the API said. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = (typeof result.error === 'object' && result.error !== null ? result.error : {}) as ErrorEnvelope;
  if (result.response.status === 401 && body.code === 'UNAUTHENTICATED') onSignedOut();
  throw new ApiError(body.message ?? result.response.statusText, result.response.status, body.code, body.errors ?? {});
}

/** A message to show for anything thrown by a call. */
export function messageOf(err: unknown, fallback: string): string {
  if (err instanceof ApiError) return err.message || fallback;
  return fallback;
}

/** The doctor's moves on an order, as path segments (the `actions` an order carries). */
export const ACTIONS = [
  'confirm',
  'accept-proposal',
  'open-room',
  'start',
  'finish',
  'propose',
  'reject-proposal',
  'decline',
  'missed',
] as const;
export type Action = (typeof ACTIONS)[number];

type ActionBody = { reason?: string; date?: string; time?: string; note?: string; diagnosis_codes?: string[] };

/** One move; the order after it. */
export async function act(transactionId: string, action: Action, body: ActionBody = {}): Promise<DoctorOrder> {
  const result = await api.POST('/api/doctor-app/orders/{transaction_id}/{action}', {
    params: { path: { transaction_id: transactionId, action } },
    body,
  });
  return unwrap(result).data;
}

export async function freeSlots(transactionId: string, date: string): Promise<FreeSlot[]> {
  const result = await api.GET('/api/doctor-app/orders/{transaction_id}/free-slots', {
    params: { path: { transaction_id: transactionId }, query: { date } },
  });
  return unwrap(result).data;
}

export async function listOrders(query: { from?: string; to?: string; status?: string }): Promise<DoctorOrder[]> {
  const result = await api.GET('/api/doctor-app/orders', { params: { query: { ...query, data: 100, page: 1 } } });
  return unwrap(result).data;
}

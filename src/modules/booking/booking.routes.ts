import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import { ActingUserFields, Envelope, EnvelopePage, Nullable } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { parseYmd } from '../accounts/identity.js';
import type { PaymentProvider } from '../payments/provider.js';
import { STATUS_GROUPS, type BookingService } from './booking.service.js';
import type { AppointmentType } from './schedule.js';
import { parseHm } from './time.js';

export const OrderSchema = Type.Object({
  transaction_id: Type.String(),
  status: Type.String(),
  date: Type.String(),
  time: Type.String(),
  estimate: Type.String(),
  type: Type.String(),
  price: Type.Integer(),
  patient: Type.String(),
  note: Nullable(Type.String()),
  hospital: Nullable(Type.String()),
  timezone: Type.String(),
  start_at: Type.String(),
  doctor_account: Nullable(
    Type.Object({
      name: Type.String(),
      slug: Type.String(),
      thumb: Nullable(Type.String()),
      speciality: Type.String(),
    }),
  ),
  patient_account: Nullable(
    Type.Object({
      name: Type.String(),
      thumb: Nullable(Type.String()),
      date_of_birth: Nullable(Type.String()),
      gender: Nullable(Type.String()),
    }),
  ),
  payment_url: Nullable(Type.String()),
  expires_at: Nullable(Type.String()),
  meeting_url: Nullable(Type.String()),
  proposed_date: Nullable(Type.String()),
  proposed_time: Nullable(Type.String()),
  refund_due: Type.Integer(),
  created_at: Type.String(),
  history: Type.Array(
    Type.Object({ status: Type.String(), action: Type.String(), by: Type.String(), at: Type.String() }),
  ),
});

const TimeSlotSchema = Type.Object({ time: Type.String(), end_time: Type.String(), available: Type.Boolean() });

/** `call`, or `reservasi` (also spelled `reservation`). */
function appointmentType(value: unknown, field: string): AppointmentType {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (v === 'call') return 'call';
  if (v === 'reservasi' || v === 'reservation') return 'reservasi';
  throw AppError.field(field, v === '' ? 'required' : 'oneOf', { values: 'call, reservasi' });
}

function practiceId(value: unknown, field: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,9}$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
    throw AppError.field(field, value === undefined || value === '' ? 'required' : 'integer');
  }
  return n;
}

function ymd(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw AppError.field(field, 'required');
  if (parseYmd(value.trim()) === undefined) throw AppError.field(field, 'date');
  return value.trim();
}

/** `time` as "Y-m-d HH:mm", or "HH:mm" with a `date` field. */
function dateAndTime(body: { time?: unknown; date?: unknown }): { date: string; time: string } {
  const raw = typeof body.time === 'string' ? body.time.trim() : '';
  if (raw === '') throw AppError.field('time', 'required');
  const full = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(raw);
  const date = full ? full[1]! : ymd(body.date, 'date');
  const time = full ? full[2]! : raw;
  if (parseYmd(date) === undefined) throw AppError.field('time', 'date');
  if (parseHm(time) === undefined) throw AppError.field('time', 'notASlot');
  return { date, time };
}

/** A client price as a number or a digit string ("150000"); anything else is a 422. */
function clientPrice(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value.trim())) return Number(value.trim());
  throw AppError.field('price', value === undefined || value === '' ? 'required' : 'integer');
}

const Loose = Type.Object({}, { additionalProperties: true });

/**
 * Booking and orders.
 *
 *   POST /doctor/get-time-list     the day's slots of a practice                key
 *   POST /doctor/get-date-list     free slots a day over up to 31 days          key
 *   POST /doctor/booking           book a slot (Idempotency-Key honoured)       key + token
 *   POST /user/orders              own orders: appointment, type, data, page    key + token
 *   POST /user/order/show          one own order by transaction_id              key + token
 *   PUT  /user/orders              accept / reject_by_patient / reschedulle_patient  key + token
 */
export async function bookingRoutes(
  fastify: FastifyInstance,
  { booking, accounts, config }: { booking: BookingService; accounts: AccountsService; config: Config },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);
  const ok = (request: FastifyRequest) => messages.ok[request.lang];
  const base = (request: FastifyRequest) => baseUrlOf(config, request);

  app.post(
    '/doctor/get-time-list',
    { schema: { body: Loose, response: { 200: Envelope(Type.Array(TimeSlotSchema)) } } },
    async (request) => {
      const body = request.body as Record<string, unknown>;
      const id = practiceId(body.doctor_has_hospital_id, 'doctor_has_hospital_id');
      const date = ymd(body.date, 'date');
      const type = appointmentType(body.appointment ?? body.type, 'appointment');
      return {
        success: true,
        message: ok(request),
        data: await booking.timeList(request.clientApp!.hospitalScope, id, date, type),
      };
    },
  );

  app.post(
    '/doctor/get-date-list',
    {
      schema: {
        body: Loose,
        response: { 200: Envelope(Type.Array(Type.Object({ date: Type.String(), available_slots: Type.Integer() }))) },
      },
    },
    async (request) => {
      const body = request.body as Record<string, unknown>;
      const id = practiceId(body.doctor_has_hospital_id, 'doctor_has_hospital_id');
      const type = appointmentType(body.appointment ?? body.type, 'appointment');
      const from = ymd(body.from, 'from');
      const rawDays = body.days ?? 31;
      const days =
        typeof rawDays === 'number'
          ? rawDays
          : typeof rawDays === 'string' && /^\d+$/.test(rawDays)
            ? Number(rawDays)
            : NaN;
      if (!Number.isInteger(days) || days < 1 || days > 31) throw AppError.field('days', 'maximum', { limit: 31 });
      return {
        success: true,
        message: ok(request),
        data: await booking.dateList(request.clientApp!.hospitalScope, id, type, from, days),
      };
    },
  );

  app.post(
    '/doctor/booking',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        body: Type.Object({ ...ActingUserFields }, { additionalProperties: true }),
        response: { 200: Envelope(OrderSchema), 201: Envelope(OrderSchema) },
      },
    },
    async (request, reply) => {
      const session = currentSession(request);
      const body = request.body as Record<string, unknown>;
      const { date, time } = dateAndTime(body);
      const patientName = typeof body.patient === 'string' ? body.patient.trim() : '';
      if (patientName === '') throw AppError.field('patient', 'required');
      if (patientName.length > 100) throw AppError.field('patient', 'maxLength', { limit: 100 });
      const note = typeof body.note === 'string' && body.note.trim() !== '' ? body.note.trim() : null;
      if (note !== null && note.length > 1000) throw AppError.field('note', 'maxLength', { limit: 1000 });
      const usernameDoctor = typeof body.username_doctor === 'string' ? body.username_doctor : '';
      if (usernameDoctor.trim() === '') throw AppError.field('username_doctor', 'required');
      const header = request.headers['idempotency-key'];
      const idempotencyKey =
        typeof header === 'string' && header.trim() !== '' ? header.trim().slice(0, 200) : undefined;
      const { order, replay } = await booking.book(
        {
          userId: session.user.id,
          userName: session.user.name,
          email: session.user.email,
          account: session.user,
          appId: request.clientApp!.id,
          scope: request.clientApp!.hospitalScope,
          baseUrl: base(request),
        },
        {
          practiceId: practiceId(body.id ?? body.doctor_has_hospital_id, 'id'),
          usernameDoctor,
          type: appointmentType(body.type, 'type'),
          date,
          time,
          patientName,
          price: clientPrice(body.price),
          note,
        },
        idempotencyKey,
      );
      return reply
        .code(replay ? 200 : 201)
        .send({ success: true, message: messages.booked[request.lang], data: order });
    },
  );

  app.post(
    '/user/orders',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        body: Type.Optional(Type.Object({ ...ActingUserFields }, { additionalProperties: true })),
        response: { 200: EnvelopePage(OrderSchema) },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const group = typeof body.type === 'string' && body.type !== '' ? body.type : undefined;
      if (group !== undefined && STATUS_GROUPS[group] === undefined) {
        throw AppError.field('type', 'oneOf', { values: Object.keys(STATUS_GROUPS).join(', ') });
      }
      const type =
        body.appointment === undefined || body.appointment === ''
          ? undefined
          : appointmentType(body.appointment, 'appointment');
      const page = readPagination(request.query, request.body);
      const result = await booking.listOrders(
        currentSession(request).user.id,
        { ...(group !== undefined ? { group } : {}), ...(type !== undefined ? { type } : {}) },
        page,
        base(request),
      );
      return { success: true, message: ok(request), ...result };
    },
  );

  app.post(
    '/user/order/show',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        body: Type.Object({ ...ActingUserFields }, { additionalProperties: true }),
        response: { 200: Envelope(OrderSchema) },
      },
    },
    async (request) => {
      const id = (request.body as Record<string, unknown>).transaction_id;
      if (typeof id !== 'string' || id.trim() === '') throw AppError.field('transaction_id', 'required');
      return {
        success: true,
        message: ok(request),
        data: await booking.showOrder(currentSession(request).user.id, id.trim(), base(request)),
      };
    },
  );

  app.put(
    '/user/orders',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        body: Type.Object({ ...ActingUserFields }, { additionalProperties: true }),
        response: { 200: Envelope(OrderSchema) },
      },
    },
    async (request) => {
      const body = request.body as Record<string, unknown>;
      const id = body.transaction_id;
      if (typeof id !== 'string' || id.trim() === '') throw AppError.field('transaction_id', 'required');
      const kind = typeof body.type === 'string' ? body.type.trim() : '';
      const action =
        kind === 'accept'
          ? 'accept'
          : kind === 'reject_by_patient'
            ? 'reject_by_patient'
            : kind === 'reschedulle_patient' || kind === 'reschedule_patient'
              ? 'reschedule'
              : undefined;
      if (action === undefined) {
        throw AppError.field('type', kind === '' ? 'required' : 'oneOf', {
          values: 'accept, reject_by_patient, reschedulle_patient',
        });
      }
      const proposal = action === 'reschedule' ? dateAndTime(body) : undefined;
      const order = await booking.patientAction(
        currentSession(request).user.id,
        id.trim(),
        action,
        proposal,
        base(request),
      );
      return { success: true, message: ok(request), data: order };
    },
  );
}

/**
 * The sandbox payment page and its HTTP call (demo mode only), outside /api: the link itself is
 * the secret, like a gateway's payment page.
 *
 *   GET  /pay/:reference            a page with "Pay" and "Fail" buttons
 *   POST /pay/:reference/complete   pay     (what the page's button does)
 *   POST /pay/:reference/fail       fail
 */
export async function sandboxPaymentRoutes(
  fastify: FastifyInstance,
  { booking, enabled }: { booking: BookingService; enabled: boolean },
): Promise<void> {
  const find = async (reference: string) => {
    const order = enabled && /^[\w-]{20,64}$/.test(reference) ? await booking.orderByPaymentRef(reference) : undefined;
    if (order === undefined) throw new AppError('NOT_FOUND');
    return order;
  };
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  fastify.get<{ Params: { reference: string } }>('/pay/:reference', async (request, reply) => {
    const order = await find(request.params.reference);
    const action = (what: string) => `/pay/${encodeURIComponent(request.params.reference)}/${what}`;
    const html = `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Cexup sandbox payment</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body style="font-family:sans-serif;max-width:32em;margin:2em auto">
<h1>Sandbox payment</h1><p>Order <strong>${escape(order.transaction_id)}</strong>: Rp ${order.price.toLocaleString('id-ID')}</p>
<p>Status: <strong>${escape(order.status)}</strong></p>
<form method="post" action="${action('complete')}"><button type="submit">Pay</button></form>
<form method="post" action="${action('fail')}" style="margin-top:1em"><button type="submit">Fail</button></form>
<p><small>Demo only: no money moves.</small></p></body></html>`;
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; form-action 'self'")
      .send(html);
  });

  for (const [path, outcome] of [
    ['complete', 'paid'],
    ['fail', 'failed'],
  ] as const) {
    fastify.post<{ Params: { reference: string } }>(`/pay/:reference/${path}`, async (request) => {
      const order = await find(request.params.reference);
      const after = await booking.paymentOutcome(order.transaction_id, outcome);
      return {
        success: true,
        message: 'OK.',
        data: { transaction_id: order.transaction_id, status: after?.status ?? order.status },
      };
    });
  }
}

/** The gateway's webhook, outside /api: its signature is its key. */
export async function paymentWebhookRoutes(
  fastify: FastifyInstance,
  { booking, provider }: { booking: BookingService; provider: PaymentProvider },
): Promise<void> {
  fastify.post('/payments/webhook', async (request) => {
    const claimed = provider.parseNotification(request.headers, request.body);
    if (claimed === undefined) throw new AppError('WEBHOOK_SIGNATURE_INVALID');
    let notification: typeof claimed | undefined = claimed;
    if (provider.confirm) {
      try {
        notification = await provider.confirm(claimed);
      } catch (err) {
        request.log.warn({ err }, 'payment notification could not be confirmed with the gateway');
        // The gateway sends a notification again until it is answered with a 2xx.
        throw new AppError('PAYMENT_UNAVAILABLE', { headers: { 'retry-after': '30' } });
      }
    }
    const result =
      notification === undefined ? 'unknown_order' : await booking.gatewayNotification(provider.name, notification);
    return { success: true, message: 'OK.', data: { status: result } };
  });
}

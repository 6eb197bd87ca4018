import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY, KEY_TOKEN, OPEN, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/index.js';
import { parseYmd } from '../../lib/dates.js';
import type { PaymentProvider } from '../payments/index.js';
import { sandboxReference } from '../payments/index.js';
import { STATUS_GROUPS, type BookingService } from './booking.service.js';
import type { AppointmentType } from './schedule.js';
import { parseHm } from '../../lib/time.js';
import {
  OrderSchema,
  TimeSlotSchema,
  TimeListBody,
  DateListBody,
  BookingBody,
  OrdersBody,
  ShowOrderBody,
  PatientActionBody,
} from './booking.schemas.js';

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

/** The consent flag: absent means no consent; true/false, their strings, and 1/0 as forms send them. */
function consent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (value === true || value === 1 || value === 'true' || value === '1') return true;
  if (value === false || value === 0 || value === 'false' || value === '0') return false;
  throw AppError.field('allow_access_data', 'oneOf', { values: 'true, false' });
}

/** A client price as a number or a digit string ("150000"); anything else is a 422. */
function clientPrice(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value.trim())) return Number(value.trim());
  throw AppError.field('price', value === undefined || value === '' ? 'required' : 'integer');
}

/**
 * Booking and orders.
 *
 *   POST /doctor/get-time-list     the day's slots of a practice                key
 *   POST /doctor/get-date-list     free slots a day over up to 31 days          key
 *   POST /doctor/booking           book a slot (Idempotency-Key honoured)       key + token
 *   POST /user/orders              own orders: appointment, type, data, page    key + token
 *   POST /user/order/show          one own order by transaction_id              key + token
 *   PUT  /user/orders              accept / reject_by_patient / reschedulle_patient  key + token
 *
 * A key scoped to some hospitals books, lists, shows and moves only orders at those hospitals:
 * any other order is a 404, and lists leave it out.
 */
export async function bookingRoutes(
  fastify: FastifyInstance,
  {
    booking,
    accounts,
    config,
    onOutcome,
  }: {
    booking: BookingService;
    accounts: AccountsService;
    config: Config;
    /** Told what became of each POST /doctor/booking (the metrics count it). */
    onOutcome?: (outcome: 'created' | 'idempotent_replay' | { refused: unknown }) => void;
  },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);
  const ok = (request: FastifyRequest) => messages.ok[request.lang];
  const base = (request: FastifyRequest) => baseUrlOf(config, request);

  app.post(
    '/doctor/get-time-list',
    {
      schema: {
        ...op('booking', 'getTimeList', "A day's slots of a practice, free or taken", KEY, [
          'PRACTICE_NOT_FOUND_PUBLIC',
        ]),
        body: TimeListBody,
        response: { 200: Envelope(Type.Array(TimeSlotSchema)) },
      },
    },
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
        ...op('booking', 'getDateList', 'Free slots a day over up to 31 days', KEY, ['PRACTICE_NOT_FOUND_PUBLIC']),
        body: DateListBody,
        response: {
          200: Envelope(
            Type.Array(
              Type.Object(
                { date: Type.String(), available_slots: Type.Integer() },
                { examples: [{ date: '2026-12-05', available_slots: 8 }] },
              ),
            ),
          ),
        },
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
      onError: async (_request, _reply, error) => onOutcome?.({ refused: error }),
      schema: {
        ...op('booking', 'book', 'Book a slot: 201 (200 when an Idempotency-Key repeats the request)', KEY_TOKEN, [
          'PRACTICE_NOT_FOUND_PUBLIC',
          'SLOT_TAKEN',
          'PRICE_MISMATCH',
          'TOO_MANY_UNPAID_ORDERS',
          'TOO_MANY_BOOKINGS',
          'IDEMPOTENCY_KEY_REUSED',
          'PAYMENT_UNAVAILABLE',
          'EMAIL_NOT_VERIFIED',
        ]),
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              description: 'The same key and body again answers the first order (200), not a second one.',
            }),
          ),
        }),
        body: BookingBody,
        response: {
          200: {
            ...Envelope(OrderSchema, messages.booked.en),
            description: 'The same request again (Idempotency-Key).',
          },
          201: Envelope(OrderSchema, messages.booked.en),
        },
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
          allowAccessData: consent(body.allow_access_data),
        },
        idempotencyKey,
      );
      onOutcome?.(replay ? 'idempotent_replay' : 'created');
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
        ...op('booking', 'listOrders', 'Own orders, newest first: type (group), appointment, data, page', KEY_TOKEN),
        body: Type.Optional(OrdersBody),
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
        request.clientApp!.hospitalScope,
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
        ...op('booking', 'showOrder', 'One own order', KEY_TOKEN, ['ORDER_NOT_FOUND']),
        body: ShowOrderBody,
        response: { 200: Envelope(OrderSchema) },
      },
    },
    async (request) => {
      const id = (request.body as Record<string, unknown>).transaction_id;
      if (typeof id !== 'string' || id.trim() === '') throw AppError.field('transaction_id', 'required');
      return {
        success: true,
        message: ok(request),
        data: await booking.showOrder(
          currentSession(request).user.id,
          request.clientApp!.hospitalScope,
          id.trim(),
          base(request),
        ),
      };
    },
  );

  app.put(
    '/user/orders',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        ...op('booking', 'patientOrderAction', "Accept the doctor's time, cancel, or propose another time", KEY_TOKEN, [
          'ORDER_NOT_FOUND',
          'ORDER_TRANSITION_NOT_ALLOWED',
          'ORDER_PAST_CUTOFF',
          'SLOT_TAKEN',
          'PROPOSAL_NO_LONGER_OFFERED',
          'TOO_MANY_CANCELLATIONS',
        ]),
        body: PatientActionBody,
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
        request.clientApp!.hospitalScope,
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
 * The sandbox payment page and its HTTP call (demo mode only), outside /api: the link holds a
 * per-order secret, like a gateway's payment page, and only the patient's views show it. The
 * order is found by the secret's SHA-256 (its `payment_ref`): a transaction id, the reference
 * itself or a link of the form before the secret answers 404.
 *
 *   GET  /pay/:reference            a page with "Pay" and "Fail" buttons
 *   POST /pay/:reference/complete   pay     (what the page's button does)
 *   POST /pay/:reference/fail       fail
 */
export async function sandboxPaymentRoutes(
  fastify: FastifyInstance,
  { booking, enabled }: { booking: BookingService; enabled: boolean },
): Promise<void> {
  const find = async (secret: string) => {
    const order =
      enabled && /^[\w-]{43}$/.test(secret) ? await booking.orderByPaymentRef(sandboxReference(secret)) : undefined;
    if (order === undefined || order.payment_provider !== 'sandbox') throw new AppError('NOT_FOUND');
    return order;
  };
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const Reference = Type.Object({
    reference: Type.String({
      description: 'The secret at the end of the order’s `payment_url` (the patient’s views only); another is a 404.',
    }),
  });
  const PaymentResult = Type.Object(
    { transaction_id: Type.String(), status: Type.String() },
    { examples: [{ transaction_id: 'CX202611283CL79FAA', status: 'waiting_doctor_confirmation' }] },
  );
  const pageSchema = {
    ...op('payments', 'sandboxPaymentPage', 'The sandbox payment page (demo mode)', OPEN, ['NOT_FOUND']),
    params: Reference,
    response: {
      200: {
        description: 'An HTML page with "Pay" and "Fail" buttons.',
        content: { 'text/html': { schema: { type: 'string' } } },
      },
    },
  };
  fastify.get<{ Params: { reference: string } }>('/pay/:reference', { schema: pageSchema }, async (request, reply) => {
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
    const schema = {
      ...op(
        'payments',
        `sandboxPayment${path === 'complete' ? 'Complete' : 'Fail'}`,
        path === 'complete' ? 'Pay in the sandbox' : 'Fail the payment in the sandbox',
        OPEN,
        ['NOT_FOUND'],
      ),
      params: Reference,
      response: { 200: Envelope(PaymentResult) },
    };
    fastify.post<{ Params: { reference: string } }>(`/pay/:reference/${path}`, { schema }, async (request) => {
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
  const schema = {
    ...op('payments', 'paymentWebhook', "The gateway's payment notification (Midtrans), signed", OPEN, [
      'WEBHOOK_SIGNATURE_INVALID',
      'PAYMENT_UNAVAILABLE',
    ]),
    // Described, not constrained: the provider reads and verifies the notification itself.
    body: Type.Unknown({
      description: 'A Midtrans notification: verified by its SHA-512 `signature_key`.',
      examples: [
        {
          order_id: 'CX202611283CL79FAA',
          status_code: '200',
          gross_amount: '285000.00',
          transaction_status: 'settlement',
          fraud_status: 'accept',
          transaction_id: '9aed5972-5b6a-401e-894b-a32c91ed1a3a',
          signature_key:
            '26eafb00aaa78b0a15557a8575cb141eb5024ed166bea0ede70c2fc19cd771bea3fc79d5f16151f4cbe5239a135f46c95d7608334d02d6a28f8b70be2753fda4',
        },
      ],
    }),
    response: {
      200: Envelope(
        Type.Object(
          {
            status: Type.String({
              description: 'applied, repeat (already recorded), unknown_order or amount_mismatch.',
            }),
          },
          { examples: [{ status: 'applied' }] },
        ),
      ),
    },
  };
  fastify.post('/payments/webhook', { schema }, async (request) => {
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
    let result: Awaited<ReturnType<BookingService['gatewayNotification']>> = 'unknown_order';
    if (notification !== undefined) {
      try {
        result = await booking.gatewayNotification(provider.name, notification);
      } catch (err) {
        // Nothing of it was kept (the record commits with the move): a 503 has the gateway send
        // it again, and the retry applies it.
        request.log.warn({ err }, 'payment notification could not be applied');
        throw new AppError('PAYMENT_UNAVAILABLE', { headers: { 'retry-after': '30' } });
      }
    }
    return { success: true, message: 'OK.', data: { status: result } };
  });
}

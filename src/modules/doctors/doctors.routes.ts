import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY, KEY_TOKEN, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage, LooseWith, PAGE_FIELDS } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { toUserResource } from '../accounts/accounts.service.js';
import { LoginBody, SessionSchema } from '../accounts/accounts.routes.js';
import { StaffOrderSchema } from '../booking/booking.routes.js';
import type { BookingService } from '../booking/booking.service.js';
import type { OrderAction } from '../booking/order-machine.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { parseYmd } from '../accounts/identity.js';
import { parseHm } from '../booking/time.js';
import { doctorView } from '../booking/consent.js';

/** The doctor's actions on an order, by path segment. */
const ACTIONS: Record<string, OrderAction> = {
  confirm: 'confirm',
  decline: 'decline',
  propose: 'propose',
  'accept-proposal': 'accept_proposal',
  'reject-proposal': 'reject_proposal',
  'open-room': 'open_room',
  start: 'start',
  finish: 'finish',
  missed: 'missed',
};

/**
 * The doctors' side: their own orders and every move the lifecycle gives them.
 *
 *   POST /login/doctor                                  log in (doctor accounts)        key
 *   GET  /doctor-app/orders                             own orders: status, data, page  key + doctor token
 *   POST /doctor-app/orders/:transaction_id/:action     confirm, decline, propose (date, time), accept-proposal,
 *                                                       reject-proposal, open-room, start, finish, missed
 */
export async function doctorRoutes(
  fastify: FastifyInstance,
  {
    accounts,
    booking,
    privacy,
    config,
  }: { accounts: AccountsService; booking: BookingService; privacy: PrivacyService; config: Config },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const doctorOnly = bearerGuard(accounts, 'doctor');
  const base = (request: FastifyRequest) => baseUrlOf(config, request);
  // Every answer carrying patients' orders is in the patients' access log before it is sent.
  const reader = (request: FastifyRequest) => ({ id: currentSession(request).user.id, role: 'doctor' });

  app.post(
    '/login/doctor',
    {
      config: { rateLimit: { max: config.limits.loginPerAddressPerMinute, timeWindow: 60_000 } },
      schema: {
        ...op('doctors', 'loginDoctor', 'Log in a doctor', KEY, ['INVALID_CREDENTIALS', 'LOGIN_LOCKED']),
        body: { ...LoginBody, examples: [{ email: 'dokter@cexup.test', password: 'demo-dokter-2026' }] },
        response: { 200: Envelope(SessionSchema, messages.loggedIn.en) },
      },
    },
    async (request) => {
      const { user, token } = await accounts.login(
        request.body.email,
        request.body.password,
        request.clientApp!.id,
        request.ip,
        'doctor',
      );
      return {
        success: true,
        message: messages.loggedIn[request.lang],
        data: { ...token, user: toUserResource(user, base(request)) },
      };
    },
  );

  app.get(
    '/doctor-app/orders',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'listDoctorOrders', 'The doctor’s own orders, by start: status, data, page', KEY_TOKEN, [
          'ORDER_NOT_FOUND',
        ]),
        querystring: LooseWith({ ...PAGE_FIELDS, status: 'Only orders in this status.' }),
        response: { 200: EnvelopePage(StaffOrderSchema) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown>;
      const status = typeof q.status === 'string' && q.status !== '' ? q.status : undefined;
      const result = await booking.listDoctorOrders(
        currentSession(request).user.id,
        request.clientApp!.hospitalScope,
        status,
        readPagination(request.query, request.body),
        base(request),
      );
      await privacy.recordOrderReads(
        reader(request),
        'orders_list',
        result.data.map((o) => o.transaction_id),
      );
      return { success: true, message: messages.ok[request.lang], ...result, data: result.data.map(doctorView) };
    },
  );

  app.post(
    '/doctor-app/orders/:transaction_id/:action',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorOrderAction', 'A move on an own order', KEY_TOKEN, [
          'ROUTE_NOT_FOUND',
          'ORDER_NOT_FOUND',
          'ORDER_TRANSITION_NOT_ALLOWED',
          'ORDER_TOO_EARLY',
          'ORDER_TOO_LATE',
          'SLOT_TAKEN',
        ]),
        params: Type.Object({
          transaction_id: Type.String(),
          action: Type.String({
            description:
              'confirm, decline, propose (with date and time), accept-proposal, reject-proposal, open-room, start, finish or missed; another is a 404. open-room and start: from 15 minutes before the start until MISSED_GRACE_MINUTES after the end; missed: from MISSED_GRACE_MINUTES after the start; finish: once started (409 ORDER_TOO_EARLY / ORDER_TOO_LATE name the moment).',
          }),
        }),
        body: Type.Optional(
          LooseWith(
            { date: 'With propose: Y-m-d.', time: 'With propose: HH:mm, a slot of the practice.' },
            { date: '2026-12-07', time: '13:20' },
          ),
        ),
        response: { 200: Envelope(StaffOrderSchema) },
      },
    },
    async (request) => {
      const { transaction_id: transactionId, action: segment } = request.params as {
        transaction_id: string;
        action: string;
      };
      const action = ACTIONS[segment];
      if (action === undefined) throw new AppError('ROUTE_NOT_FOUND');
      let proposal: { date: string; time: string } | undefined;
      if (action === 'propose') {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const date = typeof body.date === 'string' ? body.date.trim() : '';
        const time = typeof body.time === 'string' ? body.time.trim() : '';
        if (parseYmd(date) === undefined) throw AppError.field('date', date === '' ? 'required' : 'date');
        if (parseHm(time) === undefined) throw AppError.field('time', time === '' ? 'required' : 'notASlot');
        proposal = { date, time };
      }
      const order = await booking.doctorAction(
        currentSession(request).user.id,
        request.clientApp!.hospitalScope,
        transactionId,
        action,
        proposal,
        base(request),
      );
      await privacy.recordOrderReads(reader(request), 'order', [order.transaction_id]);
      return { success: true, message: messages.ok[request.lang], data: doctorView(order) };
    },
  );
}

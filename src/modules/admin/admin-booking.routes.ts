import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, type ErrorCode } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { ADMIN, op } from '../../http/openapi.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage } from '../../http/schemas.js';
import { parseYmd } from '../../lib/dates.js';
import type { AdminOrders } from './admin-orders.js';
import { parseStatuses } from './admin-orders.js';
import { scopedFilter } from './admin-scope.js';
import type { AdminSchedules } from './admin-schedules.js';
import type { PrivacyService } from '../privacy/index.js';
import {
  AdminOrderResource,
  MAX_PRACTICE_ID,
  OrderQuery,
  OrderRefund,
  ScheduleExceptionCreate,
  ScheduleExceptionResource,
  ScheduleQuery,
  ScheduleResource,
  ScheduleRuleCreate,
  ScheduleRuleResource,
  ScheduleRuleUpdate,
  SlotsQuery,
} from './admin.schemas.js';
import { TimeSlotSchema } from '../booking/index.js';

/** A practice id from the path; anything that cannot be one is simply not found. */
export function practiceId(raw: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw) || Number(raw) > MAX_PRACTICE_ID) throw new AppError('PRACTICE_NOT_FOUND');
  return Number(raw);
}

/** Y-m-d query dates that are real dates (the schema has checked the shape). */
function realDates<T extends { from?: string; to?: string }>(query: T): T {
  const problems = (['from', 'to'] as const).filter((k) => query[k] !== undefined && parseYmd(query[k]) === undefined);
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', {
      fields: Object.fromEntries(problems.map((k) => [k, [{ key: 'date' }]])),
    });
  }
  return query;
}

const PracticeParams = Type.Object({ id: Type.String({ maxLength: 20 }) });
const RuleParams = Type.Object({ id: Type.String({ maxLength: 20 }), ruleId: Type.String({ maxLength: 100 }) });
const ExceptionParams = Type.Object({
  id: Type.String({ maxLength: 20 }),
  exceptionId: Type.String({ maxLength: 100 }),
});
const OrderParams = Type.Object({ transaction_id: Type.String({ maxLength: 100 }) });

/**
 * The back office's schedules and orders, registered inside the admin routes (admin token).
 *
 *   GET    /admin/practices/:id/schedule                        rules, exceptions (from, to), the doctor's other rules
 *   POST   /admin/practices/:id/schedule/rules                  a weekly rule (201)
 *   PUT    /admin/practices/:id/schedule/rules/:ruleId          change any of its fields
 *   DELETE /admin/practices/:id/schedule/rules/:ruleId
 *   POST   /admin/practices/:id/schedule/exceptions             leave or extra hours on a date (201)
 *   DELETE /admin/practices/:id/schedule/exceptions/:exceptionId
 *   GET    /admin/orders                                        newest first: status, doctor, hospital, from, to, page, data
 *   GET    /admin/orders/:transaction_id                        one order
 *   POST   /admin/orders/:transaction_id/refund                 a refund made: waiting_refund → refunded
 */
export function bookingAdminRoutes(
  instance: FastifyInstance,
  deps: {
    schedules: AdminSchedules;
    orders: AdminOrders;
    actor: (request: FastifyRequest) => string;
    base: (request: FastifyRequest) => string;
    privacy: PrivacyService;
  },
): void {
  const r = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { schedules, orders, actor, base, privacy } = deps;
  // Orders carry patients' data: each answer is in their access log before it is sent.
  const logged = async <T extends { transaction_id: string }>(
    request: FastifyRequest,
    what: 'order' | 'orders_list',
    read: T[],
  ): Promise<void> =>
    privacy.recordOrderReads(
      { id: actor(request), role: 'admin' },
      what,
      read.map((o) => o.transaction_id),
    );
  const doc = (operationId: string, summary: string, errors: ErrorCode[] = ['PRACTICE_NOT_FOUND']) =>
    op('admin booking', operationId, summary, ADMIN, errors);

  r.get(
    '/practices/:id/schedule',
    {
      schema: {
        ...doc('adminGetSchedule', "A practice's rules, exceptions (from, to) and the doctor's other rules"),
        params: PracticeParams,
        querystring: ScheduleQuery,
        response: { 200: Envelope(ScheduleResource) },
      },
    },
    async (request) => {
      const { from, to } = realDates(request.query);
      return {
        success: true,
        message: messages.ok[request.lang],
        data: await schedules.schedule(practiceId(request.params.id), {
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
        }),
      };
    },
  );
  r.get(
    '/practices/:id/slots',
    {
      schema: {
        ...doc('adminPracticeSlots', "A day's slots as a patient sees them (get-time-list)", [
          'PRACTICE_NOT_FOUND_PUBLIC',
        ]),
        params: PracticeParams,
        querystring: SlotsQuery,
        response: { 200: Envelope(Type.Array(TimeSlotSchema)) },
      },
    },
    async (request) => {
      const { date, type } = request.query;
      if (parseYmd(date) === undefined)
        throw new AppError('VALIDATION_FAILED', { fields: { date: [{ key: 'date' }] } });
      return {
        success: true,
        message: messages.ok[request.lang],
        data: await orders.slots(practiceId(request.params.id), date, type),
      };
    },
  );
  r.post(
    '/practices/:id/schedule/rules',
    {
      schema: {
        ...doc('adminCreateScheduleRule', 'A weekly rule (may not overlap the doctor’s other rules)'),
        params: PracticeParams,
        body: ScheduleRuleCreate,
        response: { 201: Envelope(ScheduleRuleResource, messages.created.en) },
      },
    },
    async (request, reply) => {
      const rule = await schedules.createRule(actor(request), practiceId(request.params.id), request.body);
      return reply.code(201).send({ success: true, message: messages.created[request.lang], data: rule });
    },
  );
  r.put(
    '/practices/:id/schedule/rules/:ruleId',
    {
      schema: {
        ...doc('adminUpdateScheduleRule', 'Change any of a rule’s fields', ['PRACTICE_NOT_FOUND', 'NOT_FOUND']),
        params: RuleParams,
        body: ScheduleRuleUpdate,
        response: { 200: Envelope(ScheduleRuleResource, messages.updated.en) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.updated[request.lang],
      data: await schedules.updateRule(
        actor(request),
        practiceId(request.params.id),
        request.params.ruleId,
        request.body,
      ),
    }),
  );
  r.delete(
    '/practices/:id/schedule/rules/:ruleId',
    {
      schema: {
        ...doc('adminDeleteScheduleRule', 'Delete a weekly rule', ['PRACTICE_NOT_FOUND', 'NOT_FOUND']),
        params: RuleParams,
        response: { 200: Envelope(Type.Null(), messages.deleted.en) },
      },
    },
    async (request) => {
      await schedules.deleteRule(actor(request), practiceId(request.params.id), request.params.ruleId);
      return { success: true, message: messages.deleted[request.lang], data: null };
    },
  );
  r.post(
    '/practices/:id/schedule/exceptions',
    {
      schema: {
        ...doc('adminCreateScheduleException', 'Leave or extra hours on a date'),
        params: PracticeParams,
        body: ScheduleExceptionCreate,
        response: { 201: Envelope(ScheduleExceptionResource, messages.created.en) },
      },
    },
    async (request, reply) => {
      const exception = await schedules.createException(actor(request), practiceId(request.params.id), request.body);
      return reply.code(201).send({ success: true, message: messages.created[request.lang], data: exception });
    },
  );
  r.delete(
    '/practices/:id/schedule/exceptions/:exceptionId',
    {
      schema: {
        ...doc('adminDeleteScheduleException', 'Delete an exception', ['PRACTICE_NOT_FOUND', 'NOT_FOUND']),
        params: ExceptionParams,
        response: { 200: Envelope(Type.Null(), messages.deleted.en) },
      },
    },
    async (request) => {
      await schedules.deleteException(actor(request), practiceId(request.params.id), request.params.exceptionId);
      return { success: true, message: messages.deleted[request.lang], data: null };
    },
  );

  r.get(
    '/orders',
    {
      schema: {
        ...doc('adminListOrders', 'Orders, newest first: status, doctor, hospital, from, to, q, data, page', []),
        querystring: OrderQuery,
        response: { 200: EnvelopePage(AdminOrderResource) },
      },
    },
    async (request) => {
      const q = realDates(request.query);
      const statuses = parseStatuses(q.status);
      const slug = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
      const doctor = slug(q.doctor);
      const hospital = slug(q.hospital);
      const search = slug(q.q);
      const page = await orders.list(
        scopedFilter(request, {
          ...(search !== undefined ? { q: search } : {}),
          ...(statuses !== undefined ? { statuses } : {}),
          ...(doctor !== undefined ? { doctor } : {}),
          ...(hospital !== undefined ? { hospital } : {}),
          ...(q.from !== undefined ? { from: q.from } : {}),
          ...(q.to !== undefined ? { to: q.to } : {}),
        }),
        readPagination(request.query, undefined),
        base(request),
      );
      await logged(request, 'orders_list', page.data);
      return { success: true, message: messages.ok[request.lang], ...page };
    },
  );
  r.get(
    '/orders/:transaction_id',
    {
      schema: {
        ...doc('adminGetOrder', 'One order', ['ORDER_NOT_FOUND']),
        params: OrderParams,
        response: { 200: Envelope(AdminOrderResource) },
      },
    },
    async (request) => {
      const order = await orders.show(request.params.transaction_id, base(request));
      await logged(request, 'order', [order]);
      return { success: true, message: messages.ok[request.lang], data: order };
    },
  );
  r.post(
    '/orders/:transaction_id/refund',
    {
      schema: {
        ...doc('adminRefundOrder', 'A refund made: waiting_refund → refunded', [
          'ORDER_NOT_FOUND',
          'ORDER_TRANSITION_NOT_ALLOWED',
        ]),
        params: OrderParams,
        body: OrderRefund,
        response: { 200: Envelope(AdminOrderResource, messages.updated.en) },
      },
    },
    async (request) => {
      const order = await orders.refund(
        actor(request),
        request.params.transaction_id,
        request.body?.reference,
        base(request),
      );
      await logged(request, 'order', [order]);
      return { success: true, message: messages.updated[request.lang], data: order };
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { DOCTOR, KEY, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage, LooseWith, PAGE_FIELDS } from '../../http/schemas.js';
import type { FieldProblems } from '../../http/errors.js';
import type { AccountsService } from '../accounts/index.js';
import { toUserResource } from '../accounts/index.js';
import { LoginBody, SessionSchema } from '../accounts/index.js';
import { DOCTOR_ACTIONS, type BookingService, type DoctorMoveInput } from '../booking/index.js';
import type { ObgynService } from '../obgyn/index.js';
import type { PrivacyService } from '../privacy/index.js';
import { parseYmd } from '../../lib/dates.js';
import { parseHm, utcToLocal } from '../../lib/time.js';
import { doctorView } from '../booking/index.js';
import type { DoctorWorkspace } from './doctor-workspace.js';
import {
  DoctorOrderDetailSchema,
  DoctorOrderSchema,
  DoctorPracticeSchema,
  FreeSlotSchema,
  ICD10_PATTERN,
  LeaveBody,
  LeaveCreatedSchema,
  LeaveSchema,
} from './doctors.schemas.js';

const REASON_MAX = 500;
const NOTE_MAX = 5000;
const CODES_MAX = 10;

/** What a move's body carries, checked: 422 naming each field that is wrong. */
function moveInput(segment: string, raw: unknown): DoctorMoveInput {
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const problems: FieldProblems = {};
  const text = (field: string, max: number): string | undefined => {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') problems[field] = [{ key: 'required' }];
    else if (value.trim().length > max) problems[field] = [{ key: 'maxLength', params: { limit: max } }];
    else return value.trim();
    return undefined;
  };
  const input: DoctorMoveInput = {};
  if (segment === 'propose') {
    const date = typeof body.date === 'string' ? body.date.trim() : '';
    const time = typeof body.time === 'string' ? body.time.trim() : '';
    if (parseYmd(date) === undefined) throw AppError.field('date', date === '' ? 'required' : 'date');
    if (parseHm(time) === undefined) throw AppError.field('time', time === '' ? 'required' : 'notASlot');
    input.proposal = { date, time };
  }
  if (segment === 'decline') {
    const reason = text('reason', REASON_MAX);
    if (reason !== undefined) input.reason = reason;
  }
  if (segment === 'finish') {
    const note = text('note', NOTE_MAX);
    if (note !== undefined) input.note = note;
    const codes = body.diagnosis_codes;
    if (codes !== undefined && codes !== null) {
      const list = Array.isArray(codes) ? codes : [codes];
      const cleaned = list.map((c) => (typeof c === 'string' ? c.trim().toUpperCase() : ''));
      if (cleaned.length > CODES_MAX) problems.diagnosis_codes = [{ key: 'maxItems', params: { limit: CODES_MAX } }];
      else if (cleaned.some((c) => !ICD10_PATTERN.test(c))) problems.diagnosis_codes = [{ key: 'icd10' }];
      else input.diagnosisCodes = [...new Set(cleaned)];
    }
  }
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  return input;
}

/** Whole years from a date of birth to a date (both Y-m-d). */
function ageOn(dateOfBirth: string | null, date: string): number | null {
  if (dateOfBirth === null || parseYmd(dateOfBirth) === undefined) return null;
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const dateQuery = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || parseYmd(value) === undefined) throw AppError.field(field, 'date');
  return value;
};

/**
 * The doctors' side: their own orders and every move the lifecycle gives them.
 *
 *   POST   /login/doctor                                  log in (doctor accounts)            key
 *   GET    /doctor-app/orders                             own orders: status, from, to, page  key + doctor token, or the cookie
 *   GET    /doctor-app/orders/:transaction_id             one, with the patient as consented
 *   GET    /doctor-app/orders/:transaction_id/free-slots  the slots a proposal may take on a date
 *   POST   /doctor-app/orders/:transaction_id/:action     confirm, decline (reason), propose (date, time), accept-proposal,
 *                                                         reject-proposal, open-room, start, finish (note, diagnosis_codes), missed
 *   GET    /doctor-app/practices                          own practices, and whether leave may be marked there
 *   GET    /doctor-app/leave, POST /doctor-app/leave      own leave; mark leave (where the hospital allows it)
 *   GET    /doctor-app/leave/:id/orders                   the orders a leave must move
 *   DELETE /doctor-app/leave/:id
 */
export async function doctorRoutes(
  fastify: FastifyInstance,
  {
    accounts,
    booking,
    privacy,
    obgyn,
    workspace,
    config,
  }: {
    accounts: AccountsService;
    booking: BookingService;
    privacy: PrivacyService;
    obgyn: ObgynService;
    workspace: DoctorWorkspace;
    config: Config;
  },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const doctorOnly = bearerGuard(accounts, 'doctor');
  const base = (request: FastifyRequest) => baseUrlOf(config, request);
  // Every answer carrying patients' orders is in the patients' access log before it is sent.
  const reader = (request: FastifyRequest) => ({ id: currentSession(request).user.id, role: 'doctor' });
  const userId = (request: FastifyRequest) => currentSession(request).user.id;
  const scope = (request: FastifyRequest) => request.clientApp!.hospitalScope;
  const TransactionParams = Type.Object({ transaction_id: Type.String({ maxLength: 64 }) });

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
        ...op('doctors', 'listDoctorOrders', 'The doctor’s own orders, by start: status, dates, page', DOCTOR, [
          'ORDER_NOT_FOUND',
        ]),
        querystring: LooseWith(
          {
            ...PAGE_FIELDS,
            status: 'Only orders in this status.',
            from: 'Y-m-d: orders on this date or later (each in its hospital’s zone).',
            to: 'Y-m-d: orders on this date or earlier.',
          },
          { from: '2026-12-07', to: '2026-12-13', data: 100 },
        ),
        response: { 200: EnvelopePage(DoctorOrderSchema) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown>;
      const status = typeof q.status === 'string' && q.status !== '' ? q.status : undefined;
      const from = dateQuery(q.from, 'from');
      const to = dateQuery(q.to, 'to');
      const result = await booking.listDoctorOrders(
        userId(request),
        scope(request),
        { ...(status !== undefined ? { status } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) },
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

  app.get(
    '/doctor-app/orders/:transaction_id',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'showDoctorOrder', 'One own order, with the patient as they consented', DOCTOR, [
          'ORDER_NOT_FOUND',
        ]),
        params: TransactionParams,
        response: { 200: Envelope(DoctorOrderDetailSchema) },
      },
    },
    async (request) => {
      const row = await booking.ownDoctorOrder(userId(request), scope(request), request.params.transaction_id);
      const [order] = await booking.doctorResources([row], base(request));
      const view = doctorView(order!);
      let patientProfile = null;
      if (view.allow_access_data) {
        const obgynProfile = await obgyn.get(row.patient_user_id).catch((err: unknown) => {
          if (err instanceof AppError && err.code === 'OBGYN_PROFILE_NOT_FOUND') return null;
          throw err;
        });
        // The profile without the patient's account id, which the doctor has no use for.
        const { user_id: _patientId, ...obgynFields } = obgynProfile ?? { user_id: '' };
        const dateOfBirth = view.patient_account?.date_of_birth ?? null;
        patientProfile = {
          age: ageOn(dateOfBirth, utcToLocal(row.start_at, row.timezone).date),
          gender: view.patient_account?.gender ?? null,
          date_of_birth: dateOfBirth,
          obgyn: obgynProfile === null ? null : (obgynFields as Omit<typeof obgynProfile, 'user_id'>),
        };
      }
      await privacy.recordOrderReads(reader(request), 'order', [view.transaction_id]);
      // The profile (age, gender, obgyn) is more than the order: the patient's log says so.
      if (patientProfile !== null) await privacy.recordOrderReads(reader(request), 'profile', [view.transaction_id]);
      return { success: true, message: messages.ok[request.lang], data: { ...view, patient_profile: patientProfile } };
    },
  );

  app.get(
    '/doctor-app/orders/:transaction_id/free-slots',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorOrderFreeSlots', 'The slots a new time for an own order may take on a date', DOCTOR, [
          'ORDER_NOT_FOUND',
          'PRACTICE_NOT_FOUND_PUBLIC',
        ]),
        params: TransactionParams,
        querystring: LooseWith({ date: 'Y-m-d, in the hospital’s zone.' }, { date: '2026-12-07' }),
        response: { 200: Envelope(Type.Array(FreeSlotSchema)) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown>;
      const date = dateQuery(q.date, 'date');
      if (date === undefined) throw AppError.field('date', 'required');
      const slots = await booking.freeSlotsForOrder(
        userId(request),
        scope(request),
        request.params.transaction_id,
        date,
      );
      return { success: true, message: messages.ok[request.lang], data: slots };
    },
  );

  app.post(
    '/doctor-app/orders/:transaction_id/:action',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorOrderAction', 'A move on an own order', DOCTOR, [
          'ROUTE_NOT_FOUND',
          'ORDER_NOT_FOUND',
          'ORDER_TRANSITION_NOT_ALLOWED',
          'ORDER_TOO_EARLY',
          'ORDER_TOO_LATE',
          'SLOT_TAKEN',
          'PROPOSAL_NO_LONGER_OFFERED',
          'CONFIRMATION_DEADLINE_PASSED',
        ]),
        params: Type.Object({
          transaction_id: Type.String(),
          action: Type.String({
            description:
              'confirm, decline (with an optional reason the patient reads), propose (with date and time), accept-proposal, reject-proposal, open-room, start, finish (with an optional note the patient reads and ICD-10 diagnosis_codes) or missed; another is a 404. open-room and start: from 15 minutes before the start until MISSED_GRACE_MINUTES after the end; missed: from MISSED_GRACE_MINUTES after the start; finish: once started (409 ORDER_TOO_EARLY / ORDER_TOO_LATE name the moment). The order’s `actions` lists those open now.',
          }),
        }),
        body: Type.Optional(
          LooseWith(
            {
              date: 'With propose: Y-m-d.',
              time: 'With propose: HH:mm, a free slot of the practice (see free-slots).',
              reason: `With decline: why, in words the patient reads (${REASON_MAX} characters at most).`,
              note: `With finish: the consultation note the patient reads (${NOTE_MAX} characters at most).`,
              diagnosis_codes: `With finish: ICD-10 codes such as J06.9 (${CODES_MAX} at most).`,
            },
            { date: '2026-12-07', time: '13:20' },
          ),
        ),
        response: { 200: Envelope(DoctorOrderSchema) },
      },
    },
    async (request) => {
      const { transaction_id: transactionId, action: segment } = request.params as {
        transaction_id: string;
        action: string;
      };
      if (!Object.hasOwn(DOCTOR_ACTIONS, segment)) throw new AppError('ROUTE_NOT_FOUND');
      const action = DOCTOR_ACTIONS[segment as keyof typeof DOCTOR_ACTIONS];
      const order = await booking.doctorAction(
        userId(request),
        scope(request),
        transactionId,
        action,
        moveInput(segment, request.body),
        base(request),
      );
      await privacy.recordOrderReads(reader(request), 'order', [order.transaction_id]);
      return { success: true, message: messages.ok[request.lang], data: doctorView(order) };
    },
  );

  app.get(
    '/doctor-app/practices',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorPractices', 'The doctor’s own practices', DOCTOR, ['DOCTOR_NOT_FOUND']),
        response: { 200: Envelope(Type.Array(DoctorPracticeSchema)) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.ok[request.lang],
      data: await workspace.practices(userId(request), scope(request)),
    }),
  );

  app.get(
    '/doctor-app/leave',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorLeaveList', 'The doctor’s leave at their practices, by date', DOCTOR, [
          'DOCTOR_NOT_FOUND',
        ]),
        querystring: LooseWith({ from: 'Y-m-d: from this date.', to: 'Y-m-d: until this date.' }),
        response: { 200: Envelope(Type.Array(LeaveSchema)) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown>;
      const from = dateQuery(q.from, 'from');
      const to = dateQuery(q.to, 'to');
      return {
        success: true,
        message: messages.ok[request.lang],
        data: await workspace.listLeave(userId(request), scope(request), {
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
        }),
      };
    },
  );

  app.post(
    '/doctor-app/leave',
    {
      onRequest: doctorOnly,
      schema: {
        ...op(
          'doctors',
          'doctorLeaveCreate',
          'Mark leave at an own practice (a day, or hours): its slots close; the orders in it are listed',
          DOCTOR,
          ['DOCTOR_NOT_FOUND', 'LEAVE_NOT_ALLOWED'],
        ),
        body: LeaveBody,
        response: { 200: Envelope(LeaveCreatedSchema) },
      },
    },
    async (request) => {
      const { practice_id, date, start_time, end_time } = request.body;
      const data = await workspace.createLeave(
        userId(request),
        scope(request),
        {
          practice_id,
          date,
          ...(start_time !== undefined ? { start_time } : {}),
          ...(end_time !== undefined ? { end_time } : {}),
        },
        base(request),
      );
      await privacy.recordOrderReads(
        reader(request),
        'orders_list',
        data.affected_orders.map((o) => o.transaction_id),
      );
      return {
        success: true,
        message: messages.ok[request.lang],
        data: { ...data, affected_orders: data.affected_orders.map(doctorView) },
      };
    },
  );

  const LeaveParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

  app.get(
    '/doctor-app/leave/:id/orders',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorLeaveOrders', 'The orders that still hold a time in a leave', DOCTOR, [
          'DOCTOR_NOT_FOUND',
          'LEAVE_NOT_FOUND',
        ]),
        params: LeaveParams,
        response: { 200: Envelope(Type.Array(DoctorOrderSchema)) },
      },
    },
    async (request) => {
      const orders = await workspace.leaveOrders(userId(request), scope(request), request.params.id, base(request));
      await privacy.recordOrderReads(
        reader(request),
        'orders_list',
        orders.map((o) => o.transaction_id),
      );
      return { success: true, message: messages.ok[request.lang], data: orders.map(doctorView) };
    },
  );

  app.delete(
    '/doctor-app/leave/:id',
    {
      onRequest: doctorOnly,
      schema: {
        ...op('doctors', 'doctorLeaveDelete', 'Remove a leave the doctor marked: its slots open again', DOCTOR, [
          'DOCTOR_NOT_FOUND',
          'LEAVE_NOT_FOUND',
          'LEAVE_NOT_ALLOWED',
          'LEAVE_PLANNED_BY_HOSPITAL',
        ]),
        params: LeaveParams,
        response: { 200: Envelope(Type.Null()) },
      },
    },
    async (request) => {
      await workspace.deleteLeave(userId(request), scope(request), request.params.id);
      return { success: true, message: messages.ok[request.lang], data: null };
    },
  );
}

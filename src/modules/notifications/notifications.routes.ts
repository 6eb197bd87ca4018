import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard, currentSession, ownBodyIds, type Role } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { DOCTOR, KEY_TOKEN, op } from '../../http/openapi.js';
import { privateEtag } from '../../http/etag.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage, LooseWith, NotModified, Nullable, PAGE_FIELDS } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/index.js';
import type { NotificationsService } from './notifications.service.js';
import { EVENT_KINDS } from './outbox.js';

const KINDS = EVENT_KINDS.join(', ');

const EXAMPLE_EVENT = {
  transaction_id: 'CX20261201K7M2QX9A',
  status: 'waiting_meeting',
  previous_status: 'waiting_doctor_confirmation',
  action: 'confirm',
  actor: 'doctor',
  type: 'call',
  date: '2026-12-03',
  time: '09:00',
  timezone: 'Asia/Jakarta',
  start_at: '2026-12-03T09:00:00+07:00',
  proposed_date: null,
  proposed_time: null,
};

export const EventSchema = Type.Object(
  {
    transaction_id: Type.String(),
    status: Type.String({ description: 'The order’s status after the event.' }),
    previous_status: Nullable(Type.String()),
    action: Type.String({ description: 'The lifecycle action (book, pay, confirm, ..., reminder).' }),
    actor: Type.String({ description: 'patient, doctor, gateway, job or admin.' }),
    type: Type.String({ description: 'call or reservasi.' }),
    date: Type.String(),
    time: Type.String(),
    timezone: Type.String(),
    start_at: Type.String(),
    proposed_date: Nullable(Type.String()),
    proposed_time: Nullable(Type.String()),
  },
  { examples: [EXAMPLE_EVENT] },
);

export const NotificationSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ description: `The event: ${KINDS}.` }),
    title: Type.String({ description: 'In the language of Accept-Language.' }),
    body: Type.String(),
    transaction_id: Type.String(),
    status: Type.String(),
    read: Type.Boolean(),
    read_at: Nullable(Type.String()),
    created_at: Type.String(),
    data: EventSchema,
  },
  {
    examples: [
      {
        id: '0mi4q0x5k00001a2b3c4d5e6f',
        type: 'order.confirmed',
        title: 'Appointment confirmed',
        body: 'The doctor confirmed CX20261201K7M2QX9A for 2026-12-03 09:00 (Asia/Jakarta).',
        transaction_id: 'CX20261201K7M2QX9A',
        status: 'waiting_meeting',
        read: false,
        read_at: null,
        created_at: '2026-12-01T10:15:00+07:00',
        data: EXAMPLE_EVENT,
      },
    ],
  },
);

/** A page of the inbox, and how many of all its notifications are unread (a badge). */
const InboxPage = (() => {
  const page = EnvelopePage(NotificationSchema);
  return Type.Object(
    { ...page.properties, unread: Type.Integer({ description: 'Unread notifications in the whole inbox.' }) },
    { examples: ((page as { examples?: Record<string, unknown>[] }).examples ?? []).map((e) => ({ ...e, unread: 1 })) },
  );
})();

const ReadBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'Notifications to mark read.' }),
    ),
    all: Type.Optional(Type.Boolean({ description: 'true: every notification of the account.' })),
  },
  { examples: [{ ids: ['0mi4q0x5k00001a2b3c4d5e6f'] }, { all: true }] },
);

const ReadResult = Type.Object(
  { updated: Type.Integer({ description: 'Newly marked read.' }), unread: Type.Integer() },
  { examples: [{ updated: 1, unread: 0 }] },
);

/**
 * An inbox: patients at /notifications, doctors at /doctor-app/notifications.
 *
 *   GET  {prefix}/notifications        page of the own notifications, newest first; unread, data, page
 *   POST {prefix}/notifications/read   ids (at most 100) or all: true
 */
function inboxRoutes(prefix: '' | '/doctor-app', role: Role, idPart: string) {
  return async (
    fastify: FastifyInstance,
    { accounts, notifications }: { accounts: AccountsService; notifications: NotificationsService },
  ): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const guard = bearerGuard(accounts, role);
    const who = role === 'doctor' ? 'doctor' : 'patient';
    // The doctor's inbox is also the doctor workspace's, with its session cookie.
    const security = role === 'doctor' ? DOCTOR : KEY_TOKEN;
    const userId = (request: FastifyRequest) => currentSession(request).user.id;

    app.get(
      `${prefix}/notifications`,
      {
        onRequest: guard,
        onSend: privateEtag,
        schema: {
          ...op(
            'notifications',
            `list${idPart}Notifications`,
            `The ${who}’s notifications, newest first (ETag: poll with If-None-Match)`,
            security,
          ),
          querystring: LooseWith(
            { ...PAGE_FIELDS, unread: 'true: only those not read yet.' },
            { unread: 'true', data: 10, page: 1 },
          ),
          response: { 200: InboxPage, 304: NotModified },
        },
      },
      async (request) => {
        const q = request.query as Record<string, unknown>;
        const unread = q.unread === true || q.unread === 'true' || q.unread === '1';
        const result = await notifications.inbox(
          userId(request),
          unread,
          readPagination(request.query, undefined),
          request.lang,
        );
        return { success: true, message: messages.ok[request.lang], ...result };
      },
    );

    app.post(
      `${prefix}/notifications/read`,
      {
        onRequest: guard,
        // Ids of someone else's inbox mark nothing; a body naming someone else is a 403.
        preValidation: ownBodyIds,
        schema: {
          ...op(
            'notifications',
            `read${idPart}Notifications`,
            `Mark the ${who}’s notifications read: ids, or all`,
            security,
          ),
          body: ReadBody,
          response: { 200: Envelope(ReadResult) },
        },
      },
      async (request) => {
        const { ids, all } = request.body;
        if (all !== true && (ids === undefined || ids.length === 0)) throw AppError.field('ids', 'required');
        const result = await notifications.markRead(userId(request), all === true ? 'all' : ids!);
        return { success: true, message: messages.ok[request.lang], data: result };
      },
    );
  };
}

export const notificationRoutes = inboxRoutes('', 'patient', '');
export const doctorNotificationRoutes = inboxRoutes('/doctor-app', 'doctor', 'Doctor');

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bearerGuard, currentSession, ownBodyIds, type Role } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { DOCTOR, KEY_TOKEN, op } from '../../http/openapi.js';
import { privateEtag } from '../../http/etag.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, LooseWith, NotModified, PAGE_FIELDS } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/index.js';
import type { NotificationsService } from './notifications.service.js';
import { InboxPage, ReadBody, ReadResult } from './notifications.schemas.js';

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

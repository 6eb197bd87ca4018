import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard, currentSession } from '../../http/auth.js';
import { messages } from '../../http/i18n.js';
import { ADMIN, op } from '../../http/openapi.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage, LooseWith, Nullable, PAGE_FIELDS } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/index.js';
import type { NotificationsService, WebhookAudit } from './notifications.service.js';
import type { Db } from '../../db/index.js';

const WEBHOOK_EXAMPLE = {
  id: '5b0f3c1e-8a4d-4f7e-9d43-0c2a7e6b1f90',
  app_id: '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
  url: 'https://partner.example.id/cexup/events',
  active: true,
  created_at: '2026-12-01T03:00:00.000Z',
  disabled_at: null,
};

const WebhookSchema = Type.Object(
  {
    id: Type.String(),
    app_id: Type.String(),
    url: Type.String(),
    active: Type.Boolean(),
    created_at: Type.String(),
    disabled_at: Nullable(Type.String()),
  },
  { examples: [WEBHOOK_EXAMPLE] },
);

const WebhookCreatedSchema = Type.Object(
  {
    ...WebhookSchema.properties,
    secret: Type.String({
      description: 'The signing secret: shown this once, stored encrypted. Keep it in the receiving app.',
    }),
  },
  { examples: [{ ...WEBHOOK_EXAMPLE, secret: 'whsec_3q2-7wEXAMPLEONLYx0m4Vt8yQpLk2dZsA9fHcJbN1rUe5o' }] },
);

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    webhook_id: Type.String(),
    app_id: Nullable(Type.String()),
    event_id: Type.String({ description: 'The event’s unique key: the same in every retry (the body’s id).' }),
    type: Type.String(),
    transaction_id: Type.String(),
    state: Type.String({ description: 'pending, delivered or failed (attempts used up, or the webhook removed).' }),
    attempts: Type.Integer(),
    last_status: Nullable(Type.Integer({ description: 'The HTTP status of the last answer.' })),
    last_error: Nullable(Type.String({ description: 'e.g. HTTP 500, timeout, connection failed.' })),
    next_attempt_at: Nullable(Type.String()),
    delivered_at: Nullable(Type.String()),
    created_at: Type.String(),
  },
  {
    examples: [
      {
        id: '0mi4q0x5k00021a2b3c4d5e6f',
        webhook_id: WEBHOOK_EXAMPLE.id,
        app_id: WEBHOOK_EXAMPLE.app_id,
        event_id: '0mi4q0x5k00001a2b3c4d5e6f',
        type: 'order.paid',
        transaction_id: 'CX20261201K7M2QX9A',
        state: 'delivered',
        attempts: 1,
        last_status: 200,
        last_error: null,
        next_attempt_at: null,
        delivered_at: '2026-12-01T03:00:02.000Z',
        created_at: '2026-12-01T03:00:01.000Z',
      },
    ],
  },
);

const AppParams = Type.Object({ app_id: Type.String({ maxLength: 64 }) });
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/**
 * Client apps' webhooks, for admins (under /admin).
 *
 *   POST   /admin/apps/:app_id/webhooks    url → 201 with the secret (shown once)
 *   GET    /admin/apps/:app_id/webhooks    the app's webhooks, never their secrets
 *   DELETE /admin/webhooks/:id             stop calling it
 *   GET    /admin/webhook-deliveries       the delivery log: app_id, webhook_id, state, data, page
 *   POST   /admin/webhook-deliveries/:id/resend   send a delivered or failed one again, now
 */
export async function webhookAdminRoutes(
  fastify: FastifyInstance,
  {
    accounts,
    notifications,
    scopeGuard,
    audit,
  }: {
    accounts: AccountsService;
    notifications: NotificationsService;
    /** The back office's role check (admin/admin-scope.ts): webhooks are an operator's. */
    scopeGuard?: (request: FastifyRequest) => Promise<void>;
    /** The back office's audit log, written in each change's transaction (entity webhook or webhook_delivery). */
    audit?: (
      trx: Db,
      actorId: string,
      entity: 'webhook' | 'webhook_delivery',
      entityId: string,
      change: Parameters<WebhookAudit>[1],
    ) => Promise<void>;
  },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', bearerGuard(accounts, 'admin'));
  if (scopeGuard) app.addHook('preHandler', scopeGuard);
  // Each change names its admin; the entity id is the webhook's or the delivery's own.
  const auditBy = (request: FastifyRequest, entity: 'webhook' | 'webhook_delivery'): WebhookAudit | undefined =>
    audit &&
    ((trx, change) => audit(trx, request.user!.id, entity, String((change.after as { id: string }).id), change));

  app.post(
    '/apps/:app_id/webhooks',
    {
      schema: {
        ...op('webhooks', 'createWebhook', 'Register a webhook URL for a client app', ADMIN, [
          'APP_NOT_FOUND',
          'WEBHOOK_URL_INVALID',
          'WEBHOOK_URL_NOT_ALLOWED',
        ]),
        params: AppParams,
        body: Type.Object(
          { url: Type.String({ minLength: 1, maxLength: 2000, description: 'http:// or https://' }) },
          { examples: [{ url: 'https://partner.example.id/cexup/events' }] },
        ),
        response: { 201: Envelope(WebhookCreatedSchema, messages.created.en) },
      },
    },
    async (request, reply) => {
      const data = await notifications.registerWebhook(
        request.params.app_id,
        request.body.url,
        auditBy(request, 'webhook'),
      );
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ success: true, message: messages.created[request.lang], data });
    },
  );

  app.get(
    '/apps/:app_id/webhooks',
    {
      schema: {
        ...op('webhooks', 'listWebhooks', 'A client app’s webhooks (never their secrets)', ADMIN, ['APP_NOT_FOUND']),
        params: AppParams,
        response: { 200: Envelope(Type.Array(WebhookSchema)) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.ok[request.lang],
      data: await notifications.listWebhooks(request.params.app_id),
    }),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        ...op('webhooks', 'deleteWebhook', 'Stop calling a webhook (its log stays)', ADMIN, ['WEBHOOK_NOT_FOUND']),
        params: IdParams,
        response: { 200: Envelope(WebhookSchema, messages.deleted.en) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.deleted[request.lang],
      data: await notifications.disableWebhook(request.params.id, auditBy(request, 'webhook')),
    }),
  );

  app.get(
    '/webhook-deliveries',
    {
      schema: {
        ...op('webhooks', 'listWebhookDeliveries', 'The webhook delivery log, newest first', ADMIN),
        querystring: LooseWith(
          {
            ...PAGE_FIELDS,
            app_id: 'Only this app’s.',
            webhook_id: 'Only this webhook’s.',
            state: 'pending, delivered or failed.',
          },
          { state: 'failed', data: 20, page: 1 },
        ),
        response: { 200: EnvelopePage(DeliverySchema) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown>;
      const text = (name: string) => (typeof q[name] === 'string' && q[name] !== '' ? (q[name] as string) : undefined);
      const result = await notifications.webhookDeliveries(
        {
          ...(text('app_id') !== undefined ? { appId: text('app_id')! } : {}),
          ...(text('webhook_id') !== undefined ? { webhookId: text('webhook_id')! } : {}),
          ...(text('state') !== undefined ? { state: text('state')! } : {}),
        },
        readPagination(request.query, undefined),
      );
      return { success: true, message: messages.ok[request.lang], ...result };
    },
  );

  app.post(
    '/webhook-deliveries/:id/resend',
    {
      schema: {
        ...op(
          'webhooks',
          'resendWebhookDelivery',
          'Send a delivered or failed webhook delivery again, now (same event id and body)',
          ADMIN,
          ['WEBHOOK_DELIVERY_NOT_FOUND', 'WEBHOOK_DELIVERY_PENDING', 'WEBHOOK_DELIVERY_TARGET_GONE'],
        ),
        description:
          'Puts the delivery back in the queue, due now: the job sends it at its next pass ' +
          '(NOTIFY_JOB_INTERVAL_SECONDS) with the same delivery id, event id and body, signed with a fresh ' +
          'timestamp, so the partner can drop a repeat. Its attempts are counted afresh (WEBHOOK_MAX_ATTEMPTS ' +
          'and the backoff apply again); last_status and last_error keep the previous answer until then. ' +
          '409 WEBHOOK_DELIVERY_PENDING while it is queued already; 409 WEBHOOK_DELIVERY_TARGET_GONE once ' +
          'its webhook is deleted or its app revoked.',
        params: IdParams,
        response: { 200: Envelope(DeliverySchema) },
      },
    },
    async (request) => {
      const data = await notifications.resendWebhookDelivery(request.params.id, auditBy(request, 'webhook_delivery'));
      // Not in the audit log (it has no entry for a delivery): the operator and the delivery, here.
      request.log.info(
        { admin: currentSession(request).user.id, delivery: data.id, webhook: data.webhook_id, event: data.event_id },
        'webhook delivery queued again by an admin',
      );
      return { success: true, message: messages.ok[request.lang], data };
    },
  );
}

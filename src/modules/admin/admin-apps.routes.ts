import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, type ErrorCode } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { ADMIN, op } from '../../http/openapi.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope, EnvelopePage, LooseWith, PAGE_FIELDS } from '../../http/schemas.js';
import type { AppAudit, AppResource as App, AppsService } from '../apps/index.js';
import {
  AppCreate,
  AppCreated,
  AppKeyParams,
  AppParams,
  AppResource,
  AppRotate,
  AppRotated,
  AppUpdate,
} from './admin-apps.schemas.js';
import { writeAudit } from './admin-audit.js';
import { limits, pageMeta } from './admin-helpers.js';

/**
 * Client apps (tenants) and their API keys, for the back office (admin token), as the CLI's
 * `keys` commands do them. A key's value is in the answer that makes it (create, rotate) and
 * nowhere else: stored hashed, listed by its prefix, never in the audit log. The back office's
 * own app is never listed nor changed (404). Every change is audited with the admin.
 *
 *   GET    /admin/apps                              apps, newest first, with their keys: data, page
 *   POST   /admin/apps                              name, hospitals? → 201, the app and its first key
 *   GET    /admin/apps/:app_id                      one
 *   PUT    /admin/apps/:app_id                      name, hospitals (null: every hospital)
 *   POST   /admin/apps/:app_id/rotate               overlap_hours? → a new key; the old ones work that long
 *   POST   /admin/apps/:app_id/revoke               the app and its keys stop working at once
 *   POST   /admin/apps/:app_id/keys/:id/revoke      one key stops working at once
 *
 * The key caches of this process are forgotten on every change; other processes see it within
 * CACHE_TTL_MS.
 */
export function appsAdminRoutes(
  instance: FastifyInstance,
  deps: { apps: AppsService; actor: (request: FastifyRequest) => string; overlapHours: number },
): void {
  const r = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { apps, actor } = deps;
  const audit =
    (request: FastifyRequest): AppAudit =>
    (trx, changes, at) =>
      writeAudit(trx, actor(request), changes, at);
  const doc = (operationId: string, summary: string, errors: ErrorCode[] = ['APP_NOT_FOUND']) =>
    op('admin apps', operationId, summary, ADMIN, errors);
  const withKey = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  r.get(
    '/apps',
    {
      schema: {
        ...doc('adminListApps', 'Client apps, newest first, with their keys (never their values): data, page', []),
        querystring: LooseWith(PAGE_FIELDS, { data: 20, page: 1 }),
        response: { 200: EnvelopePage(AppResource) },
      },
    },
    async (request) => {
      const page = readPagination(request.query, undefined);
      const { limit, offset } = limits(page);
      const { rows, total } = await apps.page(limit, offset);
      return { success: true, message: messages.ok[request.lang], data: rows, meta: pageMeta(page, total) };
    },
  );

  r.post(
    '/apps',
    {
      schema: {
        ...doc('adminCreateApp', 'A client app and its first API key (shown this once)', []),
        body: AppCreate,
        response: { 201: Envelope(AppCreated, messages.created.en) },
      },
    },
    async (request, reply) => {
      const { app, keyId, key } = await apps.createAudited(
        { name: request.body.name.trim(), hospitals: request.body.hospitals ?? null },
        audit(request),
      );
      return withKey(reply)
        .code(201)
        .send({ success: true, message: messages.created[request.lang], data: { ...app, key_id: keyId, key } });
    },
  );

  r.get(
    '/apps/:app_id',
    {
      schema: {
        ...doc('adminGetApp', 'One client app with its keys (never their values)'),
        params: AppParams,
        response: { 200: Envelope(AppResource) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.ok[request.lang],
      data: await found(apps.find(request.params.app_id)),
    }),
  );

  r.put(
    '/apps/:app_id',
    {
      schema: {
        ...doc('adminUpdateApp', "Change an app's name or hospitals (null: every hospital); applies at once", [
          'APP_NOT_FOUND',
          'APP_REVOKED',
        ]),
        params: AppParams,
        body: AppUpdate,
        response: { 200: Envelope(AppResource, messages.updated.en) },
      },
    },
    async (request) => {
      const { name, hospitals } = request.body;
      const app = await apps.updateAudited(
        request.params.app_id,
        { ...(name !== undefined ? { name: name.trim() } : {}), ...(hospitals !== undefined ? { hospitals } : {}) },
        audit(request),
      );
      return { success: true, message: messages.updated[request.lang], data: app };
    },
  );

  r.post(
    '/apps/:app_id/rotate',
    {
      schema: {
        ...doc('adminRotateApp', 'A new API key (shown this once); the current keys work overlap_hours more', [
          'APP_NOT_FOUND',
          'APP_REVOKED',
        ]),
        params: AppParams,
        body: AppRotate,
        response: { 200: Envelope(AppRotated, messages.updated.en) },
      },
    },
    async (request, reply) => {
      const { app, keyId, key, oldKeysExpireAt } = await apps.rotateAudited(
        request.params.app_id,
        request.body.overlap_hours ?? deps.overlapHours,
        audit(request),
      );
      return withKey(reply).send({
        success: true,
        message: messages.updated[request.lang],
        data: { ...app, key_id: keyId, key, old_keys_expire_at: oldKeysExpireAt },
      });
    },
  );

  r.post(
    '/apps/:app_id/revoke',
    {
      schema: {
        ...doc('adminRevokeApp', 'Revoke a client app: its keys stop working at once (again: no change)'),
        params: AppParams,
        response: { 200: Envelope(AppResource, messages.updated.en) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.updated[request.lang],
      data: await apps.revokeAudited(request.params.app_id, audit(request)),
    }),
  );

  r.post(
    '/apps/:app_id/keys/:id/revoke',
    {
      schema: {
        ...doc('adminRevokeKey', "Revoke one of an app's keys: it stops working at once (again: no change)", [
          'APP_NOT_FOUND',
          'API_KEY_NOT_FOUND',
        ]),
        params: AppKeyParams,
        response: { 200: Envelope(AppResource, messages.updated.en) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.updated[request.lang],
      data: await apps.revokeKeyAudited(request.params.app_id, request.params.id, audit(request)),
    }),
  );
}

async function found(app: Promise<App | undefined>): Promise<App> {
  const value = await app;
  if (value === undefined) throw new AppError('APP_NOT_FOUND');
  return value;
}

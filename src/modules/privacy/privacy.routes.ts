import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY_TOKEN, op } from '../../http/openapi.js';
import { readPagination } from '../../http/pagination.js';
import { baseUrlOf } from '../../http/origin.js';
import { Envelope, EnvelopePage, LooseWith, PAGE_FIELDS } from '../../http/schemas.js';
import {
  PasswordAgainBody,
  AccessLogEntrySchema,
  DataExportSchema,
  EXPORT_LOGIN_MAX_AGE_MS,
  ERASED,
  type PrivacyRouteDeps,
} from './privacy.schemas.js';

/**
 * The patient's rights over their data.
 *
 *   GET    /me/export         everything held about me, as a JSON file (login < 5 min)   key + token
 *   POST   /me/export         the same, with the password again                     key + token
 *   GET    /me/access-log     who (doctors, admins) read my data: data, page        key + token
 *   DELETE /me                erase my account (password again); orders kept anonymised   key + token
 */
export async function privacyRoutes(
  fastify: FastifyInstance,
  { privacy, accounts, config }: PrivacyRouteDeps,
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);

  // The clear identity number leaves only to someone who just proved the password: a login less
  // than 5 minutes old (GET, so existing apps that log in and export at once keep working), or
  // the password sent again (POST). A stolen older token alone gets a 403.
  const exportData = async (request: FastifyRequest, reply: FastifyReply) => {
    const data = await privacy.exportData(currentSession(request).user, baseUrlOf(config, request), request.lang);
    const day = data.exported_at.slice(0, 10);
    void reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="cexup-data-${day}.json"`);
    return { success: true as const, message: messages.ok[request.lang], data };
  };
  const exportResponse = {
    200: {
      ...Envelope(DataExportSchema),
      description: 'A download: `Content-Disposition: attachment`, `Cache-Control: no-store`.',
    },
  };

  app.get(
    '/me/export',
    {
      onRequest: authenticated,
      // A whole account's data at once: a few a minute is plenty for a person.
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        ...op(
          'privacy',
          'exportMyData',
          'Everything held about me (profile, identity number in clear, obgyn profile, orders, access log) as a JSON file; only within 5 minutes of a login (else 403: use POST with the password)',
          KEY_TOKEN,
          ['REAUTHENTICATION_REQUIRED'],
        ),
        response: exportResponse,
      },
    },
    async (request, reply) => {
      if (!(await accounts.isRecentLogin(currentSession(request), EXPORT_LOGIN_MAX_AGE_MS))) {
        throw new AppError('REAUTHENTICATION_REQUIRED');
      }
      return exportData(request, reply);
    },
  );

  app.post(
    '/me/export',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      // The password is guessed here as well as at a login: as many tries, and these count too.
      config: { rateLimit: { max: Math.min(10, config.limits.loginPerAddressPerMinute), timeWindow: 60_000 } },
      schema: {
        ...op(
          'privacy',
          'exportMyDataWithPassword',
          'The same export as GET /me/export, with the password asked again: for a session of any age',
          KEY_TOKEN,
          ['LOGIN_LOCKED'],
        ),
        body: PasswordAgainBody,
        response: exportResponse,
      },
    },
    async (request, reply) => {
      await accounts.confirmPassword(currentSession(request).user, request.body.password, request.ip);
      return exportData(request, reply);
    },
  );

  app.delete(
    '/me',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      // As many tries as a login: the password is guessed here just as well.
      config: { rateLimit: { max: config.limits.loginPerAddressPerMinute, timeWindow: 60_000 } },
      schema: {
        ...op(
          'privacy',
          'deleteMyAccount',
          'Delete my account: personal data erased, every session ended, orders kept anonymised for accounting',
          KEY_TOKEN,
          ['LOGIN_LOCKED', 'ACCOUNT_HAS_OPEN_ORDERS', 'PASSWORD_CHANGED_MEANWHILE'],
        ),
        body: PasswordAgainBody,
        response: { 200: Envelope(Type.Null(), ERASED.en) },
      },
    },
    async (request) => {
      await privacy.erase(currentSession(request), request.body.password, request.ip);
      return { success: true, message: ERASED[request.lang], data: null };
    },
  );

  app.get(
    '/me/access-log',
    {
      onRequest: authenticated,
      schema: {
        ...op('privacy', 'myAccessLog', 'Who read my data (doctors, admins), newest first: data, page', KEY_TOKEN),
        querystring: LooseWith(PAGE_FIELDS, { page: 1, data: 10 }),
        response: { 200: EnvelopePage(AccessLogEntrySchema) },
      },
    },
    async (request) => {
      const page = readPagination(request.query, request.body);
      const result = await privacy.accessLog(currentSession(request).user.id, page);
      return { success: true, message: messages.ok[request.lang], ...result };
    },
  );
}

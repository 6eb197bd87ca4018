import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY_TOKEN, op } from '../../http/openapi.js';
import { readPagination } from '../../http/pagination.js';
import { baseUrlOf } from '../../http/origin.js';
import {
  ActingUserFields,
  Envelope,
  EnvelopePage,
  exampleOf,
  LooseWith,
  Nullable,
  PAGE_FIELDS,
} from '../../http/schemas.js';
import { UserResourceSchema } from '../accounts/index.js';
import type { AccountsService } from '../accounts/index.js';
import { OrderSchema } from '../booking/index.js';
import { NotificationSchema } from '../notifications/index.js';
import { ObgynSchema } from '../obgyn/index.js';
import type { PrivacyService } from './privacy.service.js';

/** The body of a route that asks for the password again (the export, the erasure). */
const PasswordAgainBody = Type.Object(
  {
    ...ActingUserFields,
    password: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'The current password; a wrong one is a 422 and counts as a failed login.',
    }),
  },
  { examples: [{ password: 'rahasia-123' }] },
);

export const AccessLogEntrySchema = Type.Object(
  {
    read_at: Type.String({ description: 'When, ISO 8601.' }),
    actor: Type.Object(
      {
        role: Type.String({ description: '`doctor` or `admin`.' }),
        name: Type.String({ description: "A doctor's public name, or the admin account's name." }),
      },
      { description: 'Who read: never their email or any other contact.' },
    ),
    what: Type.String({
      description:
        '`order` (one order), `orders_list` (a list page that held your orders), `audit_log` (the change history of an order), `profile`.',
    }),
    transaction_id: Nullable(Type.String({ description: 'The order read, when one was.' })),
  },
  {
    examples: [
      {
        read_at: '2026-12-02T01:15:00.000Z',
        actor: { role: 'doctor', name: 'dr. Adi Firmansyah, Sp.M' },
        what: 'order',
        transaction_id: 'CX202611283CL79FAA',
      },
    ],
  },
);

export const DataExportSchema = Type.Object(
  {
    exported_at: Type.String(),
    profile: UserResourceSchema,
    identity: Type.Object(
      { type: Nullable(Type.String()), number: Nullable(Type.String()) },
      { description: 'The identity document, the number in clear: only in the owner’s own export.' },
    ),
    email_verified_at: Nullable(Type.String()),
    obgyn: Nullable(ObgynSchema),
    orders: Type.Array(OrderSchema, { description: 'Every order, newest first, each with its history.' }),
    notifications: Type.Array(NotificationSchema, { description: 'The whole inbox, read or not, newest first.' }),
    access_log: Type.Array(AccessLogEntrySchema, { description: 'Every read of this data by a doctor or an admin.' }),
    login_addresses: Type.Array(Type.Object({ ip: Type.String(), last_login_at: Type.String() }), {
      description: 'Addresses logged in from (kept so that a lockout spares them).',
    }),
  },
  {
    examples: [
      {
        exported_at: '2026-12-02T03:00:00.000Z',
        profile: exampleOf(UserResourceSchema),
        identity: { type: 'ktp', number: '3273015203940001' },
        email_verified_at: '2026-11-28T00:50:12.000Z',
        obgyn: exampleOf(ObgynSchema),
        orders: [exampleOf(OrderSchema)],
        notifications: [exampleOf(NotificationSchema)],
        access_log: [exampleOf(AccessLogEntrySchema)],
        login_addresses: [{ ip: '203.0.113.7', last_login_at: '2026-12-01T23:10:00.000Z' }],
      },
    ],
  },
);

/** How recent a login must be for GET /me/export without the password. */
export const EXPORT_LOGIN_MAX_AGE_MS = 5 * 60_000;

const ERASED = {
  en: 'Your account and personal data have been deleted.',
  id: 'Akun dan data pribadi Anda telah dihapus.',
};

export interface PrivacyRouteDeps {
  privacy: PrivacyService;
  accounts: AccountsService;
  config: Config;
}

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

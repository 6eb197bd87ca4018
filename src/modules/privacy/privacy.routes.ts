import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession } from '../../http/auth.js';
import { messages } from '../../http/i18n.js';
import { KEY_TOKEN, op } from '../../http/openapi.js';
import { readPagination } from '../../http/pagination.js';
import { EnvelopePage, LooseWith, Nullable, PAGE_FIELDS } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { PrivacyService } from './privacy.service.js';

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

export interface PrivacyRouteDeps {
  privacy: PrivacyService;
  accounts: AccountsService;
  config: Config;
}

/**
 * The patient's rights over their data.
 *
 *   GET    /me/access-log     who (doctors, admins) read my data: data, page        key + token
 */
export async function privacyRoutes(fastify: FastifyInstance, { privacy, accounts }: PrivacyRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);

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

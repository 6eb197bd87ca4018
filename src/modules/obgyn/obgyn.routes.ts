import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { messages } from '../../http/i18n.js';
import { KEY_TOKEN, op } from '../../http/openapi.js';
import { ActingUserFields, Envelope, NullableString, RequiredText } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/index.js';
import type { ObgynService } from './obgyn.service.js';
import { ObgynSchema } from './obgyn.schemas.js';

/**
 * The obgyn (pregnancy) profile of the patient.
 *
 *   POST /obgyn   create (201) or update (200)   key + token
 *   GET  /obgyn   read it back (404 before one)  key + token
 */
export async function obgynRoutes(
  fastify: FastifyInstance,
  { obgyn, accounts }: { obgyn: ObgynService; accounts: AccountsService },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);

  app.post(
    '/obgyn',
    {
      onRequest: authenticated,
      preValidation: ownBodyIds,
      schema: {
        ...op('obgyn', 'saveObgyn', 'Create (201) or update (200) the obgyn profile', KEY_TOKEN),
        body: Type.Object(
          {
            ...ActingUserFields,
            suami: RequiredText(100),
            faskes1: Type.Optional(NullableString({ maxLength: 200 })),
            faskes_rujukan: Type.Optional(NullableString({ maxLength: 200 })),
            pendidikan: Type.Optional(NullableString({ maxLength: 100 })),
            pekerjaan: Type.Optional(NullableString({ maxLength: 100 })),
          },
          {
            examples: [
              {
                suami: 'Budi Santoso',
                faskes1: 'Puskesmas Coblong',
                faskes_rujukan: 'RSUD Kota Bandung',
                pendidikan: 'S1',
                pekerjaan: 'Guru',
              },
            ],
          },
        ),
        response: {
          200: Envelope(ObgynSchema, messages.obgynSaved.en),
          201: Envelope(ObgynSchema, messages.obgynSaved.en),
        },
      },
    },
    async (request, reply) => {
      const { user_id: _id, username: _name, ...input } = request.body;
      const { created, profile } = await obgyn.save(currentSession(request).user.id, input);
      return reply
        .code(created ? 201 : 200)
        .send({ success: true, message: messages.obgynSaved[request.lang], data: profile });
    },
  );

  app.get(
    '/obgyn',
    {
      onRequest: authenticated,
      schema: {
        ...op('obgyn', 'getObgyn', 'The obgyn profile (404 before one exists)', KEY_TOKEN, ['OBGYN_PROFILE_NOT_FOUND']),
        response: { 200: Envelope(ObgynSchema) },
      },
    },
    async (request) => ({
      success: true,
      message: messages.ok[request.lang],
      data: await obgyn.get(currentSession(request).user.id),
    }),
  );
}

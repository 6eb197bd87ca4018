import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { messages } from '../../http/i18n.js';
import { ActingUserFields, Envelope, NullableString, RequiredText } from '../../http/schemas.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { ObgynService } from './obgyn.service.js';

const ObgynSchema = Type.Object({
  user_id: Type.String(),
  suami: Type.String(),
  faskes1: Type.Union([Type.String(), Type.Null()]),
  faskes_rujukan: Type.Union([Type.String(), Type.Null()]),
  pendidikan: Type.Union([Type.String(), Type.Null()]),
  pekerjaan: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
});

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
        body: Type.Object({
          ...ActingUserFields,
          suami: RequiredText(100),
          faskes1: Type.Optional(NullableString({ maxLength: 200 })),
          faskes_rujukan: Type.Optional(NullableString({ maxLength: 200 })),
          pendidikan: Type.Optional(NullableString({ maxLength: 100 })),
          pekerjaan: Type.Optional(NullableString({ maxLength: 100 })),
        }),
        response: { 200: Envelope(ObgynSchema), 201: Envelope(ObgynSchema) },
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
    { onRequest: authenticated, schema: { response: { 200: Envelope(ObgynSchema) } } },
    async (request) => ({
      success: true,
      message: messages.ok[request.lang],
      data: await obgyn.get(currentSession(request).user.id),
    }),
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ErrorCode } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { ADMIN, op } from '../../http/openapi.js';
import { Envelope } from '../../http/schemas.js';
import type { AdminStaff } from './admin-staff.js';
import { StaffCreate, StaffParams, StaffPassword, StaffResourceSchema, StaffUpdate } from './admin-staff.schemas.js';

/**
 * Back-office staff, an operator's (admin-scope.ts refuses hospital admins):
 *
 *   GET  /admin/staff                   every admin account
 *   POST /admin/staff                   a new one (name, email, password, role, hospitals) → 201
 *   PUT  /admin/staff/:id               name, role, hospitals
 *   POST /admin/staff/:id/disable       no sign-in, sessions ended; /enable undoes it
 *   POST /admin/staff/:id/password      a new password; sessions ended
 */
export function staffRoutes(
  r: FastifyInstance,
  { staff, actor }: { staff: AdminStaff; actor: (request: FastifyRequest) => string },
): void {
  const app = r.withTypeProvider<TypeBoxTypeProvider>();
  const doc = (operationId: string, summary: string, errors: ErrorCode[] = ['STAFF_NOT_FOUND']) =>
    op('admin staff', operationId, summary, ADMIN, errors);
  const one = { 200: Envelope(StaffResourceSchema, messages.updated.en) };

  app.get(
    '/staff',
    {
      schema: {
        ...doc('adminListStaff', 'Every admin account', []),
        response: { 200: Envelope(Type.Array(StaffResourceSchema)) },
      },
    },
    async (request) => ({ success: true, message: messages.ok[request.lang], data: await staff.list() }),
  );
  app.post(
    '/staff',
    {
      schema: {
        ...doc('adminCreateStaff', 'A new admin account: an operator, or a hospital admin of some hospitals', []),
        body: StaffCreate,
        response: { 201: Envelope(StaffResourceSchema, messages.created.en) },
      },
    },
    async (request, reply) =>
      reply.code(201).send({
        success: true,
        message: messages.created[request.lang],
        data: await staff.create(actor(request), request.body),
      }),
  );
  app.put(
    '/staff/:id',
    {
      schema: {
        ...doc('adminUpdateStaff', "An admin's name, role and hospitals", ['STAFF_NOT_FOUND', 'STAFF_SELF']),
        params: StaffParams,
        body: StaffUpdate,
        response: one,
      },
    },
    async (request) => ({
      success: true,
      message: messages.updated[request.lang],
      data: await staff.update(actor(request), request.params.id, request.body),
    }),
  );
  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/staff/:id/${action}`,
      {
        schema: {
          ...doc(
            disabled ? 'adminDisableStaff' : 'adminEnableStaff',
            disabled ? 'Disable an admin account: no sign-in, its sessions end' : 'Enable a disabled admin account',
            ['STAFF_NOT_FOUND', 'STAFF_SELF'],
          ),
          params: StaffParams,
          response: one,
        },
      },
      async (request) => ({
        success: true,
        message: messages.updated[request.lang],
        data: await staff.setDisabled(actor(request), request.params.id, disabled),
      }),
    );
  }
  app.post(
    '/staff/:id/password',
    {
      schema: {
        ...doc('adminResetStaffPassword', "Set an admin's password (their sessions end)"),
        params: StaffParams,
        body: StaffPassword,
        response: one,
      },
    },
    async (request) => ({
      success: true,
      message: messages.updated[request.lang],
      data: await staff.resetPassword(actor(request), request.params.id, request.body.password),
    }),
  );
}

// The privacy routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { ActingUserFields, exampleOf, Nullable } from '../../http/schemas.js';
import { UserResourceSchema } from '../accounts/index.js';
import type { AccountsService } from '../accounts/index.js';
import { OrderSchema } from '../booking/index.js';
import { NotificationSchema } from '../notifications/index.js';
import { ObgynSchema } from '../obgyn/index.js';
import type { PrivacyService } from './privacy.service.js';

/** The body of a route that asks for the password again (the export, the erasure). */
export const PasswordAgainBody = Type.Object(
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

export const ERASED = {
  en: 'Your account and personal data have been deleted.',
  id: 'Akun dan data pribadi Anda telah dihapus.',
};

export interface PrivacyRouteDeps {
  privacy: PrivacyService;
  accounts: AccountsService;
  config: Config;
}

// The notifications routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';
import { EnvelopePage, Nullable } from '../../http/schemas.js';
import { EVENT_KINDS } from './outbox.js';

export const KINDS = EVENT_KINDS.join(', ');

export const EXAMPLE_EVENT = {
  transaction_id: 'CX20261201K7M2QX9A',
  status: 'waiting_meeting',
  previous_status: 'waiting_doctor_confirmation',
  action: 'confirm',
  actor: 'doctor',
  type: 'call',
  date: '2026-12-03',
  time: '09:00',
  timezone: 'Asia/Jakarta',
  start_at: '2026-12-03T09:00:00+07:00',
  proposed_date: null,
  proposed_time: null,
};

export const EventSchema = Type.Object(
  {
    transaction_id: Type.String(),
    status: Type.String({ description: 'The order’s status after the event.' }),
    previous_status: Nullable(Type.String()),
    action: Type.String({ description: 'The lifecycle action (book, pay, confirm, ..., reminder).' }),
    actor: Type.String({ description: 'patient, doctor, gateway, job or admin.' }),
    type: Type.String({ description: 'call or reservasi.' }),
    date: Type.String(),
    time: Type.String(),
    timezone: Type.String(),
    start_at: Type.String(),
    proposed_date: Nullable(Type.String()),
    proposed_time: Nullable(Type.String()),
  },
  { examples: [EXAMPLE_EVENT] },
);

export const NotificationSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ description: `The event: ${KINDS}.` }),
    title: Type.String({ description: 'In the language of Accept-Language.' }),
    body: Type.String(),
    transaction_id: Type.String(),
    status: Type.String(),
    read: Type.Boolean(),
    read_at: Nullable(Type.String()),
    created_at: Type.String(),
    data: EventSchema,
  },
  {
    examples: [
      {
        id: '0mi4q0x5k00001a2b3c4d5e6f',
        type: 'order.confirmed',
        title: 'Appointment confirmed',
        body: 'The doctor confirmed CX20261201K7M2QX9A for 2026-12-03 09:00 (Asia/Jakarta).',
        transaction_id: 'CX20261201K7M2QX9A',
        status: 'waiting_meeting',
        read: false,
        read_at: null,
        created_at: '2026-12-01T10:15:00+07:00',
        data: EXAMPLE_EVENT,
      },
    ],
  },
);

/** A page of the inbox, and how many of all its notifications are unread (a badge). */
export const InboxPage = (() => {
  const page = EnvelopePage(NotificationSchema);
  return Type.Object(
    { ...page.properties, unread: Type.Integer({ description: 'Unread notifications in the whole inbox.' }) },
    { examples: ((page as { examples?: Record<string, unknown>[] }).examples ?? []).map((e) => ({ ...e, unread: 1 })) },
  );
})();

export const ReadBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'Notifications to mark read.' }),
    ),
    all: Type.Optional(Type.Boolean({ description: 'true: every notification of the account.' })),
  },
  { examples: [{ ids: ['0mi4q0x5k00001a2b3c4d5e6f'] }, { all: true }] },
);

export const ReadResult = Type.Object(
  { updated: Type.Integer({ description: 'Newly marked read.' }), unread: Type.Integer() },
  { examples: [{ updated: 1, unread: 0 }] },
);

import type { Db } from '../../db/index.js';
import { insertRow } from '../../db/prepared.js';
import type { OrderRow } from '../booking/index.js';
import { isoInZone, utcToLocal } from '../../lib/time.js';

/** What clients are told happened, by the lifecycle action that made it happen. */
const KIND_OF_ACTION: Record<string, string> = {
  book: 'order.booked',
  pay: 'order.paid',
  late_payment: 'order.paid_late',
  payment_failed: 'order.payment_failed',
  reject_by_patient: 'order.cancelled',
  confirm: 'order.confirmed',
  decline: 'order.declined',
  confirmation_timeout: 'order.declined',
  propose: 'order.reschedule_proposed',
  reschedule: 'order.reschedule_proposed',
  accept: 'order.reschedule_accepted',
  accept_proposal: 'order.reschedule_accepted',
  reject_proposal: 'order.reschedule_rejected',
  proposal_timeout: 'order.reschedule_expired',
  open_room: 'order.room_opened',
  start: 'order.started',
  finish: 'order.finished',
  missed: 'order.missed',
  refund_completed: 'order.refunded',
  reminder: 'order.reminder',
};

export const EVENT_KINDS = [...new Set(Object.values(KIND_OF_ACTION))];

/** The event as inboxes and webhooks carry it: the order at that moment, never personal data. */
export interface EventPayload {
  transaction_id: string;
  status: string;
  previous_status: string | null;
  action: string;
  actor: string;
  type: string;
  date: string;
  time: string;
  timezone: string;
  start_at: string;
  proposed_date: string | null;
  proposed_time: string | null;
}

/** The outbox row of one order event (see insertOutbox). */
export function outboxRow(
  eventKey: string,
  order: Pick<OrderRow, 'id' | 'transaction_id' | 'status' | 'type' | 'start_at' | 'timezone' | 'proposed_start_at'>,
  event: { from_status: string | null; action: string; actor: string; created_at: number },
) {
  const start = utcToLocal(order.start_at, order.timezone);
  const proposed = order.proposed_start_at === null ? null : utcToLocal(order.proposed_start_at, order.timezone);
  const payload: EventPayload = {
    transaction_id: order.transaction_id,
    status: order.status,
    previous_status: event.from_status,
    action: event.action,
    actor: event.actor,
    type: order.type,
    date: start.date,
    time: start.time,
    timezone: order.timezone,
    start_at: isoInZone(order.start_at, order.timezone),
    proposed_date: proposed?.date ?? null,
    proposed_time: proposed?.time ?? null,
  };
  return {
    id: eventKey,
    event_key: eventKey,
    order_id: order.id,
    kind: KIND_OF_ACTION[event.action] ?? `order.${event.action}`,
    actor: event.actor,
    payload: JSON.stringify(payload),
    created_at: event.created_at,
    processed_at: null,
    lease_until: null,
    lease_owner: null,
    attempts: 0,
  };
}

/**
 * Writes one event to the outbox, inside the caller's transaction: the event exists exactly
 * when the change does. `eventKey` is unique (the order event's id), so a fan-out repeated
 * after a crash finds what it already wrote.
 */
export function insertOutbox(trx: Db, ...event: Parameters<typeof outboxRow>) {
  return insertRow(trx, 'notification_outbox', outboxRow(...event));
}

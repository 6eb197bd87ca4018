import { AppError } from '../../http/errors.js';
import { isoInZone } from '../../lib/time.js';

/**
 * The order lifecycle: docs/architecture.md's transition table, in one place. Every move of an order goes
 * through `planMove`; anything the table does not list is refused with 409 naming the status.
 */
export const ORDER_STATUSES = [
  'waiting_payment',
  'waiting_doctor_confirmation',
  'waiting_meeting',
  'reschedule_from_doctor',
  'reschedule_from_patient',
  'join_now',
  'on_air',
  'done',
  'missed_meeting',
  'order_cancel',
  'order_failed',
  'waiting_refund',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type Actor = 'patient' | 'doctor' | 'gateway' | 'job' | 'admin';

export type OrderAction =
  | 'pay'
  | 'payment_failed'
  | 'reject_by_patient'
  | 'confirm'
  | 'decline'
  | 'confirmation_timeout'
  | 'propose'
  | 'accept'
  | 'reschedule'
  | 'accept_proposal'
  | 'reject_proposal'
  | 'proposal_timeout'
  | 'open_room'
  | 'start'
  | 'finish'
  | 'missed'
  | 'refund_completed'
  | 'late_payment';

/** What a move does besides changing the status. */
export type Effect =
  /** The order's slot is given back. */
  | 'free_booking'
  /** A proposed time's slot is taken (unique per doctor and start, like a booking). */
  | 'hold_proposal'
  /** The proposed time's slot is given back. */
  | 'free_proposal'
  /** The proposal becomes the order's time; the old slot is given back. */
  | 'promote_proposal'
  /** A full refund becomes due. */
  | 'refund_due'
  | 'mark_paid'
  | 'mark_refunded';

interface Row {
  action: OrderAction;
  from: readonly OrderStatus[];
  /** 'previous': the status before the pending proposal. */
  to: OrderStatus | 'previous';
  actors: readonly Actor[];
  effects: readonly Effect[];
  /** Refused after the patient's cutoff (default 2 hours before the start). */
  cutoff?: true;
  /**
   * When a person (doctor or admin) may make the move; the job keeps its own times (rooms open
   * 10 minutes before, missed 30 minutes after the end). 'meeting': from ROOM_OPENS_BEFORE_MS
   * before the start until the grace after the end. 'after_grace': from the grace after the start.
   * 'after_start': from the start.
   */
  timed?: 'meeting' | 'after_grace' | 'after_start';
}

export const TRANSITIONS: readonly Row[] = [
  {
    action: 'pay',
    from: ['waiting_payment'],
    to: 'waiting_doctor_confirmation',
    actors: ['gateway'],
    effects: ['mark_paid'],
  },
  {
    action: 'payment_failed',
    from: ['waiting_payment'],
    to: 'order_failed',
    actors: ['gateway', 'job'],
    effects: ['free_booking'],
  },
  {
    action: 'reject_by_patient',
    from: ['waiting_payment'],
    to: 'order_cancel',
    actors: ['patient'],
    effects: ['free_booking'],
  },
  { action: 'confirm', from: ['waiting_doctor_confirmation'], to: 'waiting_meeting', actors: ['doctor'], effects: [] },
  {
    action: 'decline',
    from: ['waiting_doctor_confirmation'],
    to: 'waiting_refund',
    actors: ['doctor'],
    effects: ['free_booking', 'refund_due'],
  },
  {
    action: 'confirmation_timeout',
    from: ['waiting_doctor_confirmation'],
    to: 'waiting_refund',
    actors: ['job'],
    effects: ['free_booking', 'refund_due'],
  },
  {
    action: 'propose',
    from: ['waiting_doctor_confirmation', 'waiting_meeting'],
    to: 'reschedule_from_doctor',
    actors: ['doctor'],
    effects: ['hold_proposal'],
  },
  {
    action: 'accept',
    from: ['reschedule_from_doctor'],
    to: 'waiting_meeting',
    actors: ['patient'],
    effects: ['promote_proposal'],
  },
  {
    // The doctor asked for the move: the patient may refuse it at any time.
    action: 'reject_by_patient',
    from: ['reschedule_from_doctor'],
    to: 'waiting_refund',
    actors: ['patient'],
    effects: ['free_proposal', 'free_booking', 'refund_due'],
  },
  {
    action: 'reschedule',
    from: ['reschedule_from_doctor'],
    to: 'reschedule_from_patient',
    actors: ['patient'],
    effects: ['free_proposal', 'hold_proposal'],
  },
  {
    action: 'reschedule',
    from: ['waiting_doctor_confirmation', 'waiting_meeting'],
    to: 'reschedule_from_patient',
    actors: ['patient'],
    effects: ['hold_proposal'],
    cutoff: true,
  },
  {
    action: 'accept_proposal',
    from: ['reschedule_from_patient'],
    to: 'waiting_meeting',
    actors: ['doctor'],
    effects: ['promote_proposal'],
  },
  {
    action: 'reject_proposal',
    from: ['reschedule_from_patient'],
    to: 'previous',
    actors: ['doctor'],
    effects: ['free_proposal'],
  },
  // proposal_timeout resolves its target from the time (see planMove).
  {
    action: 'proposal_timeout',
    from: ['reschedule_from_doctor', 'reschedule_from_patient'],
    to: 'previous',
    actors: ['job'],
    effects: ['free_proposal'],
  },
  {
    action: 'reject_by_patient',
    from: ['waiting_doctor_confirmation', 'waiting_meeting'],
    to: 'waiting_refund',
    actors: ['patient'],
    effects: ['free_booking', 'refund_due'],
    cutoff: true,
  },
  {
    action: 'open_room',
    from: ['waiting_meeting'],
    to: 'join_now',
    actors: ['doctor', 'job'],
    effects: [],
    timed: 'meeting',
  },
  { action: 'start', from: ['join_now'], to: 'on_air', actors: ['doctor'], effects: [], timed: 'meeting' },
  // Only a started meeting finishes, and not before its time: a room opened early and finished
  // at once would otherwise end the order before the patient could join, past their cutoff.
  { action: 'finish', from: ['on_air'], to: 'done', actors: ['doctor'], effects: [], timed: 'after_start' },
  {
    // Before the grace has passed the patient may still come; marking it earlier would also take
    // away their cancellation and refund.
    action: 'missed',
    from: ['waiting_meeting', 'join_now'],
    to: 'missed_meeting',
    actors: ['doctor', 'job'],
    effects: [],
    timed: 'after_grace',
  },
  {
    action: 'refund_completed',
    from: ['waiting_refund'],
    to: 'refunded',
    actors: ['admin', 'gateway'],
    effects: ['mark_refunded'],
  },
  {
    action: 'late_payment',
    from: ['order_failed', 'order_cancel'],
    to: 'waiting_refund',
    actors: ['gateway'],
    effects: ['mark_paid', 'refund_due'],
  },
];

export interface OrderState {
  status: OrderStatus;
  start_at: number;
  end_at: number;
  /** The hospital's zone: refusals name moments in it. */
  timezone: string;
  status_before_proposal: OrderStatus | null;
}

export interface PlannedMove {
  from: OrderStatus;
  to: OrderStatus;
  effects: readonly Effect[];
}

export const DEFAULT_CUTOFF_MS = 2 * 3_600_000;
/** How long after the start a meeting may still begin before it may be marked missed. */
export const DEFAULT_GRACE_MS = 15 * 60_000;
/** The doctor confirms at the latest this long before the start; then the job refunds the order. */
export const CONFIRM_BEFORE_MS = 3_600_000;
/** How long before the start the doctor may open the room and start. */
export const ROOM_OPENS_BEFORE_MS = 15 * 60_000;

/** The moments (both included) a person may make a timed move between; no `until`: no end. */
export function timedWindow(
  timed: 'meeting' | 'after_grace' | 'after_start',
  order: Pick<OrderState, 'start_at' | 'end_at'>,
  graceMs: number,
): { from: number; until?: number } {
  if (timed === 'meeting') return { from: order.start_at - ROOM_OPENS_BEFORE_MS, until: order.end_at + graceMs };
  return { from: timed === 'after_grace' ? order.start_at + graceMs : order.start_at };
}

/**
 * The move `action` by `actor` makes from the order's status, with its effects; 409 naming
 * the current status when the table has no such move (or the cutoff has passed), or naming
 * the moment it becomes (or stopped being) possible when a person tries a timed move outside
 * its window.
 */
export function planMove(
  order: OrderState,
  action: OrderAction,
  actor: Actor,
  now: number,
  cutoffMs = DEFAULT_CUTOFF_MS,
  graceMs = DEFAULT_GRACE_MS,
): PlannedMove {
  const row = TRANSITIONS.find((r) => r.action === action && r.from.includes(order.status) && r.actors.includes(actor));
  if (row === undefined) {
    throw new AppError('ORDER_TRANSITION_NOT_ALLOWED', { params: { status: order.status } });
  }
  if (row.cutoff && now > order.start_at - cutoffMs) {
    throw new AppError('ORDER_PAST_CUTOFF', { params: { status: order.status } });
  }
  // Past the confirmation deadline the job refunds the order: a confirmation racing it would
  // keep an order the patient has been told is lost.
  if (action === 'confirm' && actor !== 'job' && now > order.start_at - CONFIRM_BEFORE_MS) {
    const at = isoInZone(order.start_at - CONFIRM_BEFORE_MS, order.timezone);
    throw new AppError('CONFIRMATION_DEADLINE_PASSED', { params: { status: order.status, at } });
  }
  if (row.timed !== undefined && actor !== 'job') {
    const { from, until } = timedWindow(row.timed, order, graceMs);
    if (now < from) {
      throw new AppError('ORDER_TOO_EARLY', { params: { status: order.status, at: isoInZone(from, order.timezone) } });
    }
    if (until !== undefined && now > until) {
      throw new AppError('ORDER_TOO_LATE', { params: { status: order.status, at: isoInZone(until, order.timezone) } });
    }
  }
  const previous = order.status_before_proposal ?? 'waiting_meeting';
  if ((action === 'proposal_timeout' || action === 'reject_proposal') && order.start_at <= now) {
    // The old time has passed while the proposal waited: nothing to go back to. A doctor who
    // rejects only then must not leave an order in the past to mark missed without a refund.
    return { from: order.status, to: 'waiting_refund', effects: ['free_proposal', 'free_booking', 'refund_due'] };
  }
  return { from: order.status, to: row.to === 'previous' ? previous : row.to, effects: row.effects };
}

/** The moves among `actions` that `actor` may make on the order at `now`: those planMove accepts. */
export function allowedActions<A extends OrderAction>(
  order: OrderState,
  actions: readonly A[],
  actor: Actor,
  now: number,
  cutoffMs = DEFAULT_CUTOFF_MS,
  graceMs = DEFAULT_GRACE_MS,
): A[] {
  return actions.filter((action) => {
    try {
      planMove(order, action, actor, now, cutoffMs, graceMs);
      return true;
    } catch (err) {
      if (err instanceof AppError) return false;
      throw err;
    }
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../http/errors.js';
import {
  ORDER_STATUSES,
  planMove,
  type Actor,
  type OrderAction,
  type OrderState,
  type OrderStatus,
} from './order-machine.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 1, 0, 0);
const later = now + 48 * HOUR; // a start well past the cutoff
const soon = now + HOUR; // a start inside the 2-hour cutoff

/** An order of a 20-minute appointment at a Jakarta hospital. */
const order = (status: OrderStatus, startAt: number, before: OrderStatus | null = null): OrderState => ({
  status,
  start_at: startAt,
  end_at: startAt + 20 * MINUTE,
  timezone: 'Asia/Jakarta',
  status_before_proposal: before,
});

/** A start that puts `now` inside the doctor's window for the action (the cutoff is far off). */
const startFor = (action: OrderAction): number =>
  action === 'open_room' || action === 'start'
    ? now + 10 * MINUTE
    : action === 'missed'
      ? now - 15 * MINUTE
      : action === 'finish'
        ? now - 5 * MINUTE
        : later;

/**
 * docs/architecture.md's table written out by hand, independently of the code: action, actor, from, to.
 * Every (status, action, actor) not listed here must be refused.
 */
const ALLOWED: [OrderAction, Actor, OrderStatus, OrderStatus][] = [
  ['pay', 'gateway', 'waiting_payment', 'waiting_doctor_confirmation'],
  ['payment_failed', 'gateway', 'waiting_payment', 'order_failed'],
  ['payment_failed', 'job', 'waiting_payment', 'order_failed'],
  ['reject_by_patient', 'patient', 'waiting_payment', 'order_cancel'],
  ['confirm', 'doctor', 'waiting_doctor_confirmation', 'waiting_meeting'],
  ['decline', 'doctor', 'waiting_doctor_confirmation', 'waiting_refund'],
  ['confirmation_timeout', 'job', 'waiting_doctor_confirmation', 'waiting_refund'],
  ['propose', 'doctor', 'waiting_doctor_confirmation', 'reschedule_from_doctor'],
  ['propose', 'doctor', 'waiting_meeting', 'reschedule_from_doctor'],
  ['accept', 'patient', 'reschedule_from_doctor', 'waiting_meeting'],
  ['reject_by_patient', 'patient', 'reschedule_from_doctor', 'waiting_refund'],
  ['reschedule', 'patient', 'reschedule_from_doctor', 'reschedule_from_patient'],
  ['reschedule', 'patient', 'waiting_doctor_confirmation', 'reschedule_from_patient'],
  ['reschedule', 'patient', 'waiting_meeting', 'reschedule_from_patient'],
  ['accept_proposal', 'doctor', 'reschedule_from_patient', 'waiting_meeting'],
  ['reject_proposal', 'doctor', 'reschedule_from_patient', 'waiting_doctor_confirmation'], // its status before
  ['proposal_timeout', 'job', 'reschedule_from_doctor', 'waiting_doctor_confirmation'],
  ['proposal_timeout', 'job', 'reschedule_from_patient', 'waiting_doctor_confirmation'],
  ['reject_by_patient', 'patient', 'waiting_doctor_confirmation', 'waiting_refund'],
  ['reject_by_patient', 'patient', 'waiting_meeting', 'waiting_refund'],
  ['open_room', 'doctor', 'waiting_meeting', 'join_now'],
  ['open_room', 'job', 'waiting_meeting', 'join_now'],
  ['start', 'doctor', 'join_now', 'on_air'],
  ['finish', 'doctor', 'on_air', 'done'],
  ['missed', 'doctor', 'waiting_meeting', 'missed_meeting'],
  ['missed', 'job', 'waiting_meeting', 'missed_meeting'],
  ['missed', 'doctor', 'join_now', 'missed_meeting'],
  ['missed', 'job', 'join_now', 'missed_meeting'],
  ['refund_completed', 'admin', 'waiting_refund', 'refunded'],
  ['refund_completed', 'gateway', 'waiting_refund', 'refunded'],
  ['late_payment', 'gateway', 'order_failed', 'waiting_refund'],
  ['late_payment', 'gateway', 'order_cancel', 'waiting_refund'],
];

const ACTIONS = [...new Set(ALLOWED.map(([a]) => a))];
const ACTORS: Actor[] = ['patient', 'doctor', 'gateway', 'job', 'admin'];

test('every move of the table is allowed, to the status the table names', () => {
  for (const [action, actor, from, to] of ALLOWED) {
    const move = planMove(order(from, startFor(action), 'waiting_doctor_confirmation'), action, actor, now);
    assert.equal(move.to, to, `${action} by ${actor} from ${from}`);
  }
});

test('every other (status, action, actor) is refused with 409 naming the current status', () => {
  let refused = 0;
  for (const status of ORDER_STATUSES) {
    for (const action of ACTIONS) {
      for (const actor of ACTORS) {
        if (ALLOWED.some(([a, who, from]) => a === action && who === actor && from === status)) continue;
        assert.throws(
          () => planMove(order(status, startFor(action)), action, actor, now),
          (err: unknown) =>
            err instanceof AppError &&
            err.status === 409 &&
            err.code === 'ORDER_TRANSITION_NOT_ALLOWED' &&
            err.options.params?.status === status,
          `${action} by ${actor} from ${status}`,
        );
        refused += 1;
      }
    }
  }
  assert.equal(refused, ORDER_STATUSES.length * ACTIONS.length * ACTORS.length - ALLOWED.length);
});

test("the patient's cutoff: no cancel or move within 2 hours of the start, except refusing the doctor's proposal", () => {
  for (const [action, from] of [
    ['reject_by_patient', 'waiting_doctor_confirmation'],
    ['reject_by_patient', 'waiting_meeting'],
    ['reschedule', 'waiting_meeting'],
  ] as const) {
    assert.throws(
      () => planMove(order(from, soon), action, 'patient', now),
      (err: unknown) => err instanceof AppError && err.code === 'ORDER_PAST_CUTOFF' && err.status === 409,
    );
  }
  const refused = planMove(
    order('reschedule_from_doctor', soon, 'waiting_meeting'),
    'reject_by_patient',
    'patient',
    now,
  );
  assert.equal(refused.to, 'waiting_refund');
  assert.deepEqual([...refused.effects].sort(), ['free_booking', 'free_proposal', 'refund_due']);
  // An unpaid order may be cancelled at any time.
  assert.equal(planMove(order('waiting_payment', soon), 'reject_by_patient', 'patient', now).to, 'order_cancel');
});

test("a doctor rejecting the patient's proposal once the old time has passed refunds it, not back to the past", () => {
  const ahead = planMove(order('reschedule_from_patient', later, 'waiting_meeting'), 'reject_proposal', 'doctor', now);
  assert.equal(ahead.to, 'waiting_meeting');
  assert.deepEqual(ahead.effects, ['free_proposal']);
  const passed = planMove(
    order('reschedule_from_patient', now - 20 * MINUTE, 'waiting_meeting'),
    'reject_proposal',
    'doctor',
    now,
  );
  assert.equal(passed.to, 'waiting_refund');
  assert.deepEqual([...passed.effects].sort(), ['free_booking', 'free_proposal', 'refund_due']);
});

test('a timed-out proposal goes back to the status before it while the old time is ahead, else to a refund', () => {
  const ahead = planMove(order('reschedule_from_patient', later, 'waiting_meeting'), 'proposal_timeout', 'job', now);
  assert.equal(ahead.to, 'waiting_meeting');
  assert.deepEqual(ahead.effects, ['free_proposal']);
  const passed = planMove(
    order('reschedule_from_doctor', now - HOUR, 'waiting_meeting'),
    'proposal_timeout',
    'job',
    now,
  );
  assert.equal(passed.to, 'waiting_refund');
  assert.deepEqual([...passed.effects].sort(), ['free_booking', 'free_proposal', 'refund_due']);
});

test('slot and money effects follow the table', () => {
  const effects = (action: OrderAction, actor: Actor, status: OrderStatus) =>
    [...planMove(order(status, later, 'waiting_meeting'), action, actor, now).effects].sort();
  assert.deepEqual(effects('pay', 'gateway', 'waiting_payment'), ['mark_paid']);
  assert.deepEqual(effects('payment_failed', 'job', 'waiting_payment'), ['free_booking']);
  assert.deepEqual(effects('decline', 'doctor', 'waiting_doctor_confirmation'), ['free_booking', 'refund_due']);
  assert.deepEqual(effects('propose', 'doctor', 'waiting_meeting'), ['hold_proposal']);
  assert.deepEqual(effects('accept', 'patient', 'reschedule_from_doctor'), ['promote_proposal']);
  assert.deepEqual(effects('reschedule', 'patient', 'reschedule_from_doctor'), ['free_proposal', 'hold_proposal']);
  assert.deepEqual(effects('reject_proposal', 'doctor', 'reschedule_from_patient'), ['free_proposal']);
  assert.deepEqual(effects('late_payment', 'gateway', 'order_cancel'), ['mark_paid', 'refund_due']);
  assert.deepEqual(effects('refund_completed', 'admin', 'waiting_refund'), ['mark_refunded']);
});

/** The refusal of a timed move: 409, the code, the status and the moment in the hospital's zone. */
const refusedAt =
  (code: 'ORDER_TOO_EARLY' | 'ORDER_TOO_LATE', status: OrderStatus, at: string) =>
  (err: unknown): boolean =>
    err instanceof AppError &&
    err.status === 409 &&
    err.code === code &&
    err.options.params?.status === status &&
    err.options.params?.at === at;

test("the doctor's timed moves: the room and the start from 15 minutes before until the grace after the end", () => {
  const start = Date.UTC(2026, 11, 7, 2, 0); // 09:00 in Jakarta, ends 09:20
  for (const [action, from] of [
    ['open_room', 'waiting_meeting'],
    ['start', 'join_now'],
  ] as const) {
    assert.throws(
      () => planMove(order(from, start), action, 'doctor', start - 20 * MINUTE),
      refusedAt('ORDER_TOO_EARLY', from, '2026-12-07T08:45:00+07:00'),
      `${action} 20 minutes before`,
    );
    assert.throws(
      () => planMove(order(from, start), action, 'doctor', start - 15 * MINUTE - 1),
      refusedAt('ORDER_TOO_EARLY', from, '2026-12-07T08:45:00+07:00'),
    );
    for (const at of [start - 15 * MINUTE, start - 10 * MINUTE, start + 20 * MINUTE, start + 35 * MINUTE]) {
      assert.equal(planMove(order(from, start), action, 'doctor', at).to, action === 'start' ? 'on_air' : 'join_now');
    }
    assert.throws(
      () => planMove(order(from, start), action, 'doctor', start + 35 * MINUTE + 1),
      refusedAt('ORDER_TOO_LATE', from, '2026-12-07T09:35:00+07:00'),
      `${action} after the end and the grace`,
    );
    // The grace is the configured one.
    assert.throws(
      () => planMove(order(from, start), action, 'doctor', start + 26 * MINUTE, undefined, 5 * MINUTE),
      refusedAt('ORDER_TOO_LATE', from, '2026-12-07T09:25:00+07:00'),
    );
  }
});

test('missed: from the grace after the start, by the doctor; six days early is refused naming the moment', () => {
  const start = Date.UTC(2026, 11, 7, 2, 0);
  for (const from of ['waiting_meeting', 'join_now'] as const) {
    assert.throws(
      () => planMove(order(from, start), 'missed', 'doctor', start - 6 * 24 * HOUR),
      refusedAt('ORDER_TOO_EARLY', from, '2026-12-07T09:15:00+07:00'),
    );
    assert.throws(
      () => planMove(order(from, start), 'missed', 'doctor', start + 15 * MINUTE - 1),
      refusedAt('ORDER_TOO_EARLY', from, '2026-12-07T09:15:00+07:00'),
    );
    assert.equal(planMove(order(from, start), 'missed', 'doctor', start + 15 * MINUTE).to, 'missed_meeting');
    assert.equal(planMove(order(from, start), 'missed', 'doctor', start + 3 * 24 * HOUR).to, 'missed_meeting');
    assert.throws(
      () => planMove(order(from, start), 'missed', 'doctor', start + 20 * MINUTE, undefined, 30 * MINUTE),
      refusedAt('ORDER_TOO_EARLY', from, '2026-12-07T09:30:00+07:00'),
    );
  }
  // The moment is named in the hospital's own zone.
  assert.throws(
    () => planMove({ ...order('waiting_meeting', start), timezone: 'Asia/Jayapura' }, 'missed', 'doctor', start),
    refusedAt('ORDER_TOO_EARLY', 'waiting_meeting', '2026-12-07T11:15:00+09:00'),
  );
});

test('finish only once started, and not before the appointment starts; the job keeps its own times', () => {
  const start = Date.UTC(2026, 11, 7, 2, 0);
  for (const from of ['waiting_meeting', 'join_now'] as const) {
    assert.throws(
      () => planMove(order(from, start), 'finish', 'doctor', start + 10 * MINUTE),
      (err: unknown) => err instanceof AppError && err.code === 'ORDER_TRANSITION_NOT_ALLOWED' && err.status === 409,
    );
  }
  // Opened and started 15 minutes early, then finished at once: the patient could not have come.
  assert.throws(
    () => planMove(order('on_air', start), 'finish', 'doctor', start - 14 * MINUTE),
    refusedAt('ORDER_TOO_EARLY', 'on_air', '2026-12-07T09:00:00+07:00'),
  );
  assert.equal(planMove(order('on_air', start), 'finish', 'doctor', start).to, 'done');
  assert.equal(planMove(order('on_air', start), 'finish', 'doctor', start + 10 * MINUTE).to, 'done');
  // The deadline job opens rooms 10 minutes before and marks missed 30 minutes after the end;
  // after a stop it catches up on rooms whose window has gone by.
  assert.equal(planMove(order('waiting_meeting', start), 'open_room', 'job', start - 10 * MINUTE).to, 'join_now');
  assert.equal(planMove(order('waiting_meeting', start), 'open_room', 'job', start + 2 * HOUR).to, 'join_now');
  assert.equal(planMove(order('join_now', start), 'missed', 'job', start + 50 * MINUTE).to, 'missed_meeting');
});

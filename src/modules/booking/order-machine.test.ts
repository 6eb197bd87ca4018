import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../http/errors.js';
import { ORDER_STATUSES, planMove, type Actor, type OrderAction, type OrderStatus } from './order-machine.js';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 1, 0, 0);
const later = now + 48 * HOUR; // a start well past the cutoff
const soon = now + HOUR; // a start inside the 2-hour cutoff

/**
 * DESIGN.md's table written out by hand, independently of the code: action, actor, from, to.
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
    const move = planMove(
      { status: from, start_at: later, status_before_proposal: 'waiting_doctor_confirmation' },
      action,
      actor,
      now,
    );
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
          () => planMove({ status, start_at: later, status_before_proposal: null }, action, actor, now),
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
      () => planMove({ status: from, start_at: soon, status_before_proposal: null }, action, 'patient', now),
      (err: unknown) => err instanceof AppError && err.code === 'ORDER_PAST_CUTOFF' && err.status === 409,
    );
  }
  const refused = planMove(
    { status: 'reschedule_from_doctor', start_at: soon, status_before_proposal: 'waiting_meeting' },
    'reject_by_patient',
    'patient',
    now,
  );
  assert.equal(refused.to, 'waiting_refund');
  assert.deepEqual([...refused.effects].sort(), ['free_booking', 'free_proposal', 'refund_due']);
  // An unpaid order may be cancelled at any time.
  assert.equal(
    planMove(
      { status: 'waiting_payment', start_at: soon, status_before_proposal: null },
      'reject_by_patient',
      'patient',
      now,
    ).to,
    'order_cancel',
  );
});

test('a timed-out proposal goes back to the status before it while the old time is ahead, else to a refund', () => {
  const ahead = planMove(
    { status: 'reschedule_from_patient', start_at: later, status_before_proposal: 'waiting_meeting' },
    'proposal_timeout',
    'job',
    now,
  );
  assert.equal(ahead.to, 'waiting_meeting');
  assert.deepEqual(ahead.effects, ['free_proposal']);
  const passed = planMove(
    { status: 'reschedule_from_doctor', start_at: now - HOUR, status_before_proposal: 'waiting_meeting' },
    'proposal_timeout',
    'job',
    now,
  );
  assert.equal(passed.to, 'waiting_refund');
  assert.deepEqual([...passed.effects].sort(), ['free_booking', 'free_proposal', 'refund_due']);
});

test('slot and money effects follow the table', () => {
  const effects = (action: OrderAction, actor: Actor, status: OrderStatus) =>
    [
      ...planMove({ status, start_at: later, status_before_proposal: 'waiting_meeting' }, action, actor, now).effects,
    ].sort();
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

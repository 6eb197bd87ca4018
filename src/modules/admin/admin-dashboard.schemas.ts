import { Type } from 'typebox';
import { YMD_PATTERN } from './admin.schemas.js';

/** The dashboard's query: a range of WIB calendar days and, optionally, one hospital. */
export const DashboardQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        pattern: YMD_PATTERN,
        description:
          'The first day (Y-m-d, a calendar day in Asia/Jakarta, WIB), included. Default: 29 days before `to`.',
      }),
    ),
    to: Type.Optional(
      Type.String({
        pattern: YMD_PATTERN,
        description:
          'The last day (Y-m-d, WIB), included. Default: today in WIB. Not before `from`; at most 366 days in all.',
      }),
    ),
    hospital: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'A hospital’s slug: every figure of that hospital alone (422 when there is no such hospital).',
      }),
    ),
  },
  { additionalProperties: true, examples: [{ from: '2026-11-11', to: '2026-12-10' }] },
);

const FIGURES = {
  bookings: Type.Integer({ minimum: 0, description: 'Orders booked (created), whatever became of them.' }),
  paid: Type.Integer({ minimum: 0, description: 'Orders paid (late payments of failed or cancelled orders too).' }),
  cancelled: Type.Integer({
    minimum: 0,
    description:
      'Orders that became order_cancel (the patient, before paying) or waiting_refund (declined by the doctor, ' +
      'confirmation or proposal timed out, proposal refused, cancelled by the patient after paying). A late ' +
      'payment of an order already failed or cancelled is not counted again; unpaid orders that expired ' +
      '(order_failed) are not cancellations.',
  }),
  refunded: Type.Integer({ minimum: 0, description: 'Refunds completed (orders become refunded).' }),
  missed: Type.Integer({ minimum: 0, description: 'Orders marked missed_meeting (by the doctor or the job).' }),
  revenue: Type.Integer({
    description:
      'Whole rupiah: the prices of the orders paid, minus the refunds completed (the full price of a paid ' +
      'order), on the day each happened. May be negative on a day with more refunded than paid.',
  }),
};

const DAY_EXAMPLE = { bookings: 41, paid: 35, cancelled: 3, refunded: 2, missed: 1, revenue: 5_150_000 };

export const DashboardDay = Type.Object(
  {
    date: Type.String({ description: 'Y-m-d, a calendar day in Asia/Jakarta (WIB).' }),
    ...FIGURES,
  },
  { examples: [{ date: '2026-12-10', ...DAY_EXAMPLE }] },
);

export const DashboardToday = Type.Object(
  {
    hospital_slug: Type.String(),
    hospital_name: Type.String(),
    timezone: Type.String({ description: 'The hospital’s zone: "today" is its own calendar day.' }),
    timezone_label: Type.Enum(['WIB', 'WITA', 'WIT']),
    appointments: Type.Integer({
      minimum: 0,
      description:
        'Orders starting today that were paid or are free and still stand: waiting_doctor_confirmation, ' +
        'waiting_meeting, reschedule_from_doctor, reschedule_from_patient, join_now, on_air, done, missed_meeting ' +
        '(not unpaid, expired, cancelled or refunded ones).',
    }),
    waiting_confirmation: Type.Integer({ minimum: 0, description: 'Of those, waiting_doctor_confirmation.' }),
    confirmed: Type.Integer({
      minimum: 0,
      description: 'Of those, confirmed and not over: waiting_meeting, join_now, on_air.',
    }),
    done: Type.Integer({ minimum: 0, description: 'Of those, done.' }),
  },
  {
    examples: [
      {
        hospital_slug: 'rs-harapan-sehat-makassar',
        hospital_name: 'RS Harapan Sehat Makassar',
        timezone: 'Asia/Makassar',
        timezone_label: 'WITA',
        appointments: 12,
        waiting_confirmation: 2,
        confirmed: 6,
        done: 3,
      },
    ],
  },
);

export const DashboardAttention = Type.Object(
  {
    refunds_waiting: Type.Integer({
      minimum: 0,
      description: 'Orders waiting_refund with money to give back (refund_due > 0, not refunded yet).',
    }),
    confirm_overdue: Type.Integer({
      minimum: 0,
      description:
        'Orders still waiting_doctor_confirmation past their deadline (1 hour before the start), which the ' +
        'deadline job has not timed out yet: more than 0 for long means the job is not running.',
    }),
    proposals_unanswered: Type.Integer({
      minimum: 0,
      description: 'Orders with a reschedule proposal waiting for an answer (reschedule_from_doctor or _from_patient).',
    }),
    webhooks_failing: Type.Integer({
      minimum: 0,
      description:
        'Webhook deliveries failing: given up (failed) in the last 7 days, or pending a retry after a failed call.',
    }),
  },
  { examples: [{ refunds_waiting: 4, confirm_overdue: 0, proposals_unanswered: 3, webhooks_failing: 1 }] },
);

export const DashboardResource = Type.Object(
  {
    from: Type.String({ description: 'Y-m-d (WIB), as asked or defaulted.' }),
    to: Type.String({ description: 'Y-m-d (WIB), as asked or defaulted.' }),
    timezone: Type.Literal('Asia/Jakarta', { description: 'The zone of `days`: each is a WIB calendar day.' }),
    days: Type.Array(DashboardDay, { description: 'Every day from `from` to `to`, in order, days with nothing too.' }),
    totals: Type.Object(FIGURES, { description: 'The sums of `days`.' }),
    today: Type.Array(DashboardToday, {
      description:
        'Appointments starting today, each hospital in its own zone (WIB, WITA or WIT), by hospital name; ' +
        'hospitals with none are left out. Not limited by `from` and `to`.',
    }),
    attention: DashboardAttention,
  },
  {
    examples: [
      {
        from: '2026-12-09',
        to: '2026-12-10',
        timezone: 'Asia/Jakarta',
        days: [
          { date: '2026-12-09', bookings: 38, paid: 30, cancelled: 2, refunded: 1, missed: 0, revenue: 4_350_000 },
          { date: '2026-12-10', ...DAY_EXAMPLE },
        ],
        totals: { bookings: 79, paid: 65, cancelled: 5, refunded: 3, missed: 1, revenue: 9_500_000 },
        today: [
          {
            hospital_slug: 'rs-harapan-sehat-makassar',
            hospital_name: 'RS Harapan Sehat Makassar',
            timezone: 'Asia/Makassar',
            timezone_label: 'WITA',
            appointments: 12,
            waiting_confirmation: 2,
            confirmed: 6,
            done: 3,
          },
        ],
        attention: { refunds_waiting: 4, confirm_overdue: 0, proposals_unanswered: 3, webhooks_failing: 1 },
      },
    ],
  },
);

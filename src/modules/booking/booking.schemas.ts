// The booking routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';
import { ActingUserFields, exampleOf, LooseWith, Nullable } from '../../http/schemas.js';

export const OrderSchema = Type.Object(
  {
    transaction_id: Type.String(),
    status: Type.String({
      description:
        'waiting_payment, waiting_doctor_confirmation, waiting_meeting, reschedule_from_doctor, reschedule_from_patient, join_now, on_air, done, missed_meeting, order_cancel, order_failed, waiting_refund or refunded.',
    }),
    date: Type.String(),
    time: Type.String(),
    estimate: Type.String(),
    type: Type.String(),
    price: Type.Integer(),
    patient: Type.String(),
    note: Nullable(Type.String()),
    hospital: Nullable(Type.String()),
    timezone: Type.String(),
    start_at: Type.String(),
    doctor_account: Nullable(
      Type.Object({
        name: Type.String(),
        slug: Type.String(),
        thumb: Nullable(Type.String()),
        speciality: Type.String(),
      }),
    ),
    patient_account: Nullable(
      Type.Object({
        name: Type.String(),
        thumb: Nullable(Type.String()),
        date_of_birth: Nullable(Type.String()),
        gender: Nullable(Type.String()),
      }),
    ),
    payment_url: Nullable(
      Type.String({
        description:
          "Where the patient pays, while the order is unpaid. The link holds the payment's secret: only the patient's own views show it, never the doctor's or the back office's.",
      }),
    ),
    expires_at: Nullable(Type.String()),
    meeting_url: Nullable(Type.String()),
    proposed_date: Nullable(Type.String()),
    proposed_time: Nullable(Type.String()),
    refund_due: Type.Integer(),
    allow_access_data: Type.Boolean({
      description: "The patient's consent, given at booking, that the doctor reads their records.",
    }),
    practice_id: Type.Integer({ description: 'The practice (`doctor_has_hospital_id`) the order is at.' }),
    decline_reason: Nullable(Type.String({ description: 'Why the doctor declined, in their words.' })),
    consultation_note: Nullable(Type.String({ description: "The doctor's note of the finished consultation." })),
    diagnosis_codes: Type.Array(Type.String(), {
      description: "ICD-10 codes of the doctor's diagnosis, given when finishing (empty when none).",
    }),
    created_at: Type.String(),
    history: Type.Array(
      Type.Object({ status: Type.String(), action: Type.String(), by: Type.String(), at: Type.String() }),
    ),
  },
  {
    examples: [
      {
        transaction_id: 'CX202611283CL79FAA',
        status: 'waiting_payment',
        date: '2026-12-05',
        time: '08:00',
        estimate: '08:30',
        type: 'reservasi',
        price: 285000,
        patient: 'Ayu Lestari',
        note: 'Mata kanan merah sejak tiga hari.',
        hospital: 'RS Andalas Medika Padang',
        timezone: 'Asia/Jakarta',
        start_at: '2026-12-05T08:00:00+07:00',
        doctor_account: {
          name: 'dr. Adi Firmansyah, Sp.M',
          slug: 'dr-adi-firmansyah-sp-m-26',
          thumb: null,
          speciality: 'Mata',
        },
        patient_account: { name: 'Ayu Lestari', thumb: null, date_of_birth: '1994-03-12', gender: 'perempuan' },
        payment_url: 'https://api.cexup.com/pay/2PK5EFZowdn6S3cKaZdWSwubkl-RC1HM8wyjeY8CXIo',
        expires_at: '2026-11-28T08:45:03+07:00',
        meeting_url: null,
        proposed_date: null,
        proposed_time: null,
        refund_due: 0,
        allow_access_data: true,
        practice_id: 50,
        decline_reason: null,
        consultation_note: null,
        diagnosis_codes: [],
        created_at: '2026-11-28T07:45:03+07:00',
        history: [{ status: 'waiting_payment', action: 'book', by: 'patient', at: '2026-11-28T07:45:03+07:00' }],
      },
    ],
  },
);

/**
 * An order as its doctor and the back office see it: the patient's order without its payment
 * link, whose secret lets whoever holds it pay or fail the order.
 */
const { payment_url: _paymentUrl, ...staffOrderFields } = OrderSchema.properties;
const { payment_url: _examplePaymentUrl, ...staffOrderExample } = exampleOf(OrderSchema) as Record<string, unknown>;
export const StaffOrderSchema = Type.Object(staffOrderFields, {
  examples: [{ ...staffOrderExample, status: 'waiting_doctor_confirmation' }],
});

export const TimeSlotSchema = Type.Object(
  { time: Type.String(), end_time: Type.String(), available: Type.Boolean() },
  { examples: [{ time: '08:00', end_time: '08:30', available: true }] },
);

/** What the booking routes read from their bodies (each checked by the handler). */
export const PRACTICE =
  'The practice: `hospital[].id` (or `doctor_has_hospital_id`) of a doctor; a number or a digit string.';
export const APPOINTMENT = '`call` or `reservasi` (also `reservation`).';
export const TimeListBody = LooseWith(
  {
    doctor_has_hospital_id: PRACTICE,
    date: 'Y-m-d, in the hospital’s time zone.',
    appointment: APPOINTMENT,
    type: 'The same as `appointment`.',
  },
  { doctor_has_hospital_id: 50, date: '2026-12-05', appointment: 'call' },
);
export const DateListBody = LooseWith(
  {
    doctor_has_hospital_id: PRACTICE,
    appointment: APPOINTMENT,
    type: 'The same as `appointment`.',
    from: 'The first day, Y-m-d.',
    days: 'How many days, 1 to 31 (default 31).',
  },
  { doctor_has_hospital_id: 50, appointment: 'call', from: '2026-12-01', days: 7 },
);
export const BookingBody = Type.Object(
  {
    ...ActingUserFields,
    ...LooseWith({
      id: PRACTICE,
      username_doctor: "The doctor's `username`.",
      type: APPOINTMENT,
      time: '`Y-m-d HH:mm`, or `HH:mm` with `date`.',
      date: 'Y-m-d, when `time` is only `HH:mm`.',
      patient: 'Who the appointment is for (100 characters at most).',
      price: "The price the app showed, whole rupiah (a number or a digit string); 409 when it is not the server's.",
      note: 'For the doctor (1000 characters at most).',
      allow_access_data:
        'Consent that the doctor reads the patient’s records: true or false (also "true"/"false", 1/0). Default false.',
    }).properties,
  },
  {
    additionalProperties: true,
    examples: [
      {
        id: 50,
        username_doctor: 'adifirmansyah26',
        time: '2026-12-05 08:00',
        type: 'call',
        patient: 'Ayu Lestari',
        price: 155000,
        note: 'Mata kanan merah sejak tiga hari.',
        allow_access_data: true,
      },
    ],
  },
);
export const OrdersBody = Type.Object(
  {
    ...ActingUserFields,
    ...LooseWith({
      type: 'A group: pending, booked, apointment, finish or failed.',
      appointment: APPOINTMENT,
      data: 'Items a page, 1 to 100. Default 10.',
      page: 'The page, from 1. Default 1.',
    }).properties,
  },
  { additionalProperties: true, examples: [{ type: 'pending', data: 10, page: 1 }] },
);
export const ShowOrderBody = Type.Object(
  { ...ActingUserFields, ...LooseWith({ transaction_id: 'The order (required).' }).properties },
  { additionalProperties: true, examples: [{ transaction_id: 'CX202611283CL79FAA' }] },
);
export const PatientActionBody = Type.Object(
  {
    ...ActingUserFields,
    ...LooseWith({
      transaction_id: 'The order (required).',
      type: '`accept` (the doctor’s proposal), `reject_by_patient` (cancel) or `reschedulle_patient` (propose another time; also `reschedule_patient`).',
      time: 'With reschedulle_patient: `Y-m-d HH:mm`, or `HH:mm` with `date`.',
      date: 'With reschedulle_patient: Y-m-d, when `time` is only `HH:mm`.',
    }).properties,
  },
  {
    additionalProperties: true,
    examples: [{ transaction_id: 'CX202611283CL79FAA', type: 'reschedulle_patient', time: '2026-12-06 09:00' }],
  },
);

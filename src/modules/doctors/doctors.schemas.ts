import { Type } from 'typebox';
import { exampleOf, Nullable } from '../../http/schemas.js';
import { UserResourceSchema } from '../accounts/index.js';
import { StaffOrderSchema } from '../booking/index.js';
import { HM_PATTERN, YMD_PATTERN } from '../admin/index.js';
import { ObgynSchema } from '../obgyn/index.js';

const { user_id: _patientId, ...obgynFields } = ObgynSchema.properties;

const ACTION_SEGMENTS = 'confirm, decline, propose, accept-proposal, reject-proposal, open-room, start, finish, missed';

const staffExample = exampleOf(StaffOrderSchema) as Record<string, unknown>;

/** The staff order plus what is due from the doctor and the moves open to them now. */
export const DoctorOrderSchema = Type.Object(
  {
    ...StaffOrderSchema.properties,
    respond_before: Nullable(
      Type.String({
        description:
          'While waiting for the doctor: the confirmation deadline (an hour before the start); while the patient proposes a new time: when the proposal lapses. Else null.',
      }),
    ),
    actions: Type.Array(Type.String(), {
      description: `The moves (${ACTION_SEGMENTS}) the transition table allows the doctor on this order right now: offer these and no others.`,
    }),
  },
  {
    examples: [
      {
        ...staffExample,
        respond_before: '2026-12-05T07:00:00+07:00',
        actions: ['confirm', 'decline', 'propose'],
      },
    ],
  },
);

export const PatientProfileSchema = Nullable(
  Type.Object(
    {
      age: Nullable(Type.Integer({ description: 'Whole years on the order’s date, in the hospital’s zone.' })),
      gender: Nullable(Type.String()),
      date_of_birth: Nullable(Type.String()),
      obgyn: Nullable(Type.Object(obgynFields, { description: 'The obgyn profile, if the patient has one.' })),
    },
    {
      description:
        'Only when the patient consented at booking (`allow_access_data`); null otherwise. The name is always in `patient`.',
    },
  ),
);

export const DoctorOrderDetailSchema = Type.Object(
  { ...DoctorOrderSchema.properties, patient_profile: PatientProfileSchema },
  {
    examples: [
      {
        ...(exampleOf(DoctorOrderSchema) as Record<string, unknown>),
        patient_profile: { age: 32, gender: 'perempuan', date_of_birth: '1994-03-12', obgyn: null },
      },
    ],
  },
);

export const FreeSlotSchema = Type.Object(
  { time: Type.String(), end_time: Type.String() },
  { examples: [{ time: '13:20', end_time: '13:40' }] },
);

export const DoctorPracticeSchema = Type.Object(
  {
    id: Type.Integer({ description: 'The practice (`doctor_has_hospital_id`).' }),
    hospital: Type.Object({ id: Type.String(), name: Type.String() }),
    timezone: Type.String(),
    call: Type.Boolean({ description: 'Video calls offered here.' }),
    reservasi: Type.Boolean({ description: 'Hospital visits offered here.' }),
    leave_allowed: Type.Boolean({ description: 'Whether the hospital lets its doctors mark their own leave.' }),
  },
  {
    examples: [
      {
        id: 50,
        hospital: { id: 'h_01', name: 'RS Andalas Medika Padang' },
        timezone: 'Asia/Jakarta',
        call: true,
        reservasi: true,
        leave_allowed: true,
      },
    ],
  },
);

export const LeaveSchema = Type.Object(
  {
    id: Type.String(),
    practice_id: Type.Integer(),
    hospital: Type.String(),
    timezone: Type.String(),
    date: Type.String(),
    start_time: Nullable(Type.String({ description: 'null: the whole day.' })),
    end_time: Nullable(Type.String()),
    mine: Type.Boolean({
      description: 'Marked by this doctor, who may remove it; false: planned by the hospital’s back office.',
    }),
    created_at: Type.String(),
  },
  {
    examples: [
      {
        id: '0mi4q0x5k00001a2b3c4d5e6f',
        practice_id: 50,
        hospital: 'RS Andalas Medika Padang',
        timezone: 'Asia/Jakarta',
        date: '2026-12-10',
        start_time: null,
        end_time: null,
        mine: true,
        created_at: '2026-12-03T08:00:00.000Z',
      },
    ],
  },
);

export const LeaveCreatedSchema = Type.Object(
  {
    leave: LeaveSchema,
    affected_orders: Type.Array(DoctorOrderSchema, {
      description: 'Orders that still hold a time in the leave: propose each a new time.',
    }),
  },
  { examples: [{ leave: exampleOf(LeaveSchema), affected_orders: [exampleOf(DoctorOrderSchema)] }] },
);

export const LeaveBody = Type.Object(
  {
    practice_id: Type.Integer({ minimum: 1, description: 'One of the doctor’s practices.' }),
    date: Type.String({ pattern: YMD_PATTERN, description: 'Y-m-d, in the hospital’s zone.' }),
    start_time: Type.Optional(Type.String({ pattern: HM_PATTERN, description: 'With end_time: only those hours.' })),
    end_time: Type.Optional(Type.String({ pattern: HM_PATTERN })),
  },
  {
    examples: [
      { practice_id: 50, date: '2026-12-10' },
      { practice_id: 50, date: '2026-12-10', start_time: '13:00', end_time: '15:00' },
    ],
  },
);

/** A doctor's browser session: who is signed in, and the value every change sends back. */
export const DoctorSessionSchema = Type.Object(
  {
    user: UserResourceSchema,
    csrf_token: Nullable(
      Type.String({
        description: 'Send it as the x-csrf-token header on every change (null outside a browser session).',
      }),
    ),
    expires_at: Nullable(Type.String({ description: 'When the session ends (null on reads).' })),
  },
  {
    examples: [
      {
        user: exampleOf(UserResourceSchema),
        csrf_token: 'H2k3vHf8yqvxuQyq2c0u0w3zL9bq8xYq1m5m2nG8Zx0',
        expires_at: '2026-12-03T22:00:00.000Z',
      },
    ],
  },
);

/** ICD-10 (WHO) code shape: a letter, two digits, then an optional dot and up to four more. */
export const ICD10_PATTERN = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

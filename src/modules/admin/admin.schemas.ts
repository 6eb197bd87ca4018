import { Type, type TSchema } from 'typebox';
import { exampleOf, NullableString, RequiredText } from '../../http/schemas.js';
import { StaffOrderSchema } from '../booking/index.js';

/** Lower-case words of letters and digits joined by single hyphens: `rs-harapan-2`. */
export const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
/**
 * A doctor's `username` (what bookings send as `username_doctor`): letters and digits, joined
 * by single dots, underscores or hyphens, as the catalogue import takes it. A slug fits it.
 */
export const DOCTOR_USERNAME_PATTERN = '^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$';
export const TIMEZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
/** Whole rupiah and stock counts; below PostgreSQL's 32-bit integer limit. */
export const MAX_AMOUNT = 1_000_000_000;
/** PostgreSQL's `serial` limit: larger practice ids are not ids at all. */
export const MAX_PRACTICE_ID = 2_147_483_647;

export const Slug = Type.String({ minLength: 1, maxLength: 100, pattern: SLUG_PATTERN });
const Timezone = Type.Enum([...TIMEZONES]);
const Amount = Type.Integer({ minimum: 0, maximum: MAX_AMOUNT });
/** A price, or null: that appointment type is not offered. */
const NullablePrice = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 0, maximum: MAX_AMOUNT });
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);

// Request bodies. Creation needs what the row cannot do without; an update takes any subset,
// and null clears an optional field.

export const SpecialityCreate = Type.Object(
  {
    slug: Slug,
    name: RequiredText(150),
    description: Type.Optional(NullableString({ maxLength: 5000 })),
  },
  { examples: [{ slug: 'jantung', name: 'Jantung', description: 'Penyakit jantung dan pembuluh darah.' }] },
);
export const SpecialityUpdate = Type.Partial(SpecialityCreate, {
  examples: [{ description: 'Penyakit jantung, pembuluh darah, dan hipertensi.' }],
});

const hospitalFields = {
  slug: Slug,
  name: RequiredText(150),
  address: Type.Optional(NullableString({ maxLength: 500 })),
  city: RequiredText(100),
  province: Type.Optional(NullableString({ maxLength: 100 })),
  timezone: Timezone,
  phone: Type.Optional(NullableString({ maxLength: 40 })),
  description: Type.Optional(NullableString({ maxLength: 5000 })),
  doctor_leave_allowed: Type.Optional(
    Type.Boolean({
      description:
        'Whether its doctors mark their own leave in the doctor workspace (default false: the hospital plans it).',
    }),
  ),
};
export const HospitalCreate = Type.Object(hospitalFields, {
  examples: [
    {
      slug: 'rs-sehat-sentosa-bandung',
      name: 'RS Sehat Sentosa Bandung',
      address: 'Jl. Pasteur No. 38, Sukajadi',
      city: 'Bandung',
      province: 'Jawa Barat',
      timezone: 'Asia/Jakarta',
      phone: '(022) 2034953',
      description: 'Rumah sakit umum dengan IGD 24 jam.',
    },
  ],
});
export const HospitalUpdate = Type.Partial(HospitalCreate, { examples: [{ phone: '(022) 2034954' }] });

export const DoctorCreate = Type.Object(
  {
    slug: Slug,
    /** Defaults to the slug. */
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: DOCTOR_USERNAME_PATTERN })),
    name: RequiredText(150),
    /** The speciality's slug. */
    speciality: Slug,
    about: Type.Optional(NullableString({ maxLength: 5000 })),
    experience_years: Type.Optional(Type.Integer({ minimum: 0, maximum: 80 })),
  },
  {
    examples: [
      {
        slug: 'dr-rina-wijaya-sp-jp',
        username: 'rinawijaya',
        name: 'dr. Rina Wijaya, Sp.JP',
        speciality: 'jantung',
        about: 'Dokter spesialis jantung dan pembuluh darah.',
        experience_years: 12,
      },
    ],
  },
);
export const DoctorUpdate = Type.Partial(DoctorCreate, { examples: [{ experience_years: 13 }] });

export const PracticeCreate = Type.Object(
  {
    /** The doctor's slug. */
    doctor: Slug,
    /** The hospital's slug. */
    hospital: Slug,
    call_price: Type.Optional(NullablePrice),
    reservasi_price: Type.Optional(NullablePrice),
  },
  {
    examples: [
      {
        doctor: 'dr-rina-wijaya-sp-jp',
        hospital: 'rs-sehat-sentosa-bandung',
        call_price: 150000,
        reservasi_price: 250000,
      },
    ],
  },
);
export const PracticeUpdate = Type.Object(
  {
    call_price: Type.Optional(NullablePrice),
    reservasi_price: Type.Optional(NullablePrice),
  },
  { examples: [{ call_price: null, reservasi_price: 275000 }] },
);

export const ArticleCreate = Type.Object(
  {
    slug: Slug,
    title: RequiredText(200),
    excerpt: Type.Optional(NullableString({ maxLength: 1000 })),
    /** HTML; sanitised before it is stored. */
    body: RequiredText(200_000),
    author: Type.Optional(NullableString({ maxLength: 150 })),
    /** Publish at once (default: a draft). */
    publish: Type.Optional(Type.Boolean()),
  },
  {
    examples: [
      {
        slug: 'tips-tidur-nyenyak',
        title: 'Tips Tidur Nyenyak',
        excerpt: 'Tidur cukup menjaga daya tahan tubuh.',
        body: '<p>Tidur 7 sampai 9 jam setiap malam.</p>',
        author: 'dr. Maya Tambunan',
        publish: true,
      },
    ],
  },
);
export const ArticleUpdate = Type.Partial(Type.Omit(ArticleCreate, ['publish']), {
  examples: [{ title: 'Tips Tidur Nyenyak Setiap Malam' }],
});

export const CategoryCreate = Type.Object(
  {
    slug: Slug,
    name: RequiredText(150),
    description: Type.Optional(NullableString({ maxLength: 5000 })),
  },
  { examples: [{ slug: 'vitamin', name: 'Vitamin', description: 'Vitamin dan suplemen harian.' }] },
);
export const CategoryUpdate = Type.Partial(CategoryCreate, { examples: [{ name: 'Vitamin & Suplemen' }] });

export const ProductCreate = Type.Object(
  {
    slug: Slug,
    name: RequiredText(200),
    description: Type.Optional(NullableString({ maxLength: 10_000 })),
    price: Amount,
    stock: Amount,
    /** The category's slug. */
    category: Slug,
  },
  {
    examples: [
      {
        slug: 'vitamin-c-500-mg',
        name: 'Vitamin C 500 mg',
        description: 'Satu tablet sehari sesudah makan.',
        price: 45000,
        stock: 120,
        category: 'vitamin',
      },
    ],
  },
);
export const ProductUpdate = Type.Partial(ProductCreate, { examples: [{ price: 42000, stock: 80 }] });

export const ImageUpload = Type.Object(
  {
    file: Type.String({ minLength: 1, description: 'base64, a `data:` prefix allowed; 2 MB at most.' }),
    type: Type.Optional(Type.String({ maxLength: 40, description: 'png, jpg, jpeg or webp.' })),
    extension: Type.Optional(Type.String({ maxLength: 40, description: 'The same as `type`.' })),
  },
  {
    examples: [
      {
        file: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        type: 'png',
      },
    ],
  },
);

export const AUDIT_ENTITIES = [
  'speciality',
  'hospital',
  'doctor',
  'practice',
  'article',
  'product_category',
  'product',
  'schedule_rule',
  'schedule_exception',
  'order',
  'app',
  'app_key',
  'webhook',
  'webhook_delivery',
  'admin_account',
  'catalogue_import',
] as const;
export const AUDIT_ACTIONS = [
  'create',
  'update',
  'unpublish',
  'publish',
  'delete',
  'image',
  'refund',
  'rotate',
  'revoke',
  'disable',
  'enable',
  'reset_password',
  'import',
  'resend',
] as const;

export const AuditQuery = Type.Object(
  {
    entity: Type.Optional(Type.Enum([...AUDIT_ENTITIES])),
    entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    action: Type.Optional(Type.Enum([...AUDIT_ACTIONS])),
    actor_user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: true },
);

/** List filters: a search, published or not, and the entity's own references. */
export const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(Type.Enum(['published', 'unpublished'])),
    speciality: Type.Optional(Type.String({ maxLength: 100 })),
    hospital: Type.Optional(Type.String({ maxLength: 100 })),
    doctor: Type.Optional(Type.String({ maxLength: 100 })),
    category: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: true },
);

// Resources: what the back office sees, unpublished rows and ids included.

const Stamps = {
  unpublished_at: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
};
const STAMPS = {
  unpublished_at: null,
  created_at: '2026-11-20T02:15:00.000Z',
  updated_at: '2026-11-27T09:30:12.000Z',
};
const THUMB = 'https://api.cexup.com/files/images/0d6f1c2a-9b3e-4f5a-8c7d-1e2f3a4b5c6d.jpg';

const slugResourceFields = {
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  ...Stamps,
};
export const SpecialityResource = Type.Object(slugResourceFields, {
  examples: [
    {
      id: '6f3b2a10-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      slug: 'jantung',
      name: 'Jantung',
      description: 'Penyakit jantung dan pembuluh darah.',
      ...STAMPS,
    },
  ],
});

export const HospitalResource = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    address: Nullable(Type.String()),
    city: Type.String(),
    province: Nullable(Type.String()),
    timezone: Type.String(),
    phone: Nullable(Type.String()),
    description: Nullable(Type.String()),
    doctor_leave_allowed: Type.Boolean({ description: 'Whether its doctors mark their own leave.' }),
    image_id: Nullable(Type.String()),
    thumb: Nullable(Type.String()),
    ...Stamps,
  },
  {
    examples: [
      {
        id: '0b6c7d8e-2f3a-4b5c-9d0e-1f2a3b4c5d6e',
        ...(exampleOf(HospitalCreate) as object),
        doctor_leave_allowed: false,
        image_id: null,
        thumb: null,
        ...STAMPS,
      },
    ],
  },
);

export const PracticeResource = Type.Object(
  {
    id: Type.Integer(),
    doctor: Type.String(),
    hospital: Type.String(),
    hospital_name: Type.String(),
    call_price: Nullable(Type.Integer()),
    reservasi_price: Nullable(Type.Integer()),
    appointment_types: Type.Array(Type.String()),
    ...Stamps,
  },
  {
    examples: [
      {
        id: 301,
        doctor: 'dr-rina-wijaya-sp-jp',
        hospital: 'rs-sehat-sentosa-bandung',
        hospital_name: 'RS Sehat Sentosa Bandung',
        call_price: 150000,
        reservasi_price: 250000,
        appointment_types: ['call', 'reservasi'],
        ...STAMPS,
      },
    ],
  },
);

export const DoctorResource = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    username: Type.String(),
    name: Type.String(),
    speciality: Type.String(),
    about: Nullable(Type.String()),
    experience_years: Type.Integer(),
    image_id: Nullable(Type.String()),
    thumb: Nullable(Type.String()),
    practices: Type.Array(PracticeResource),
    ...Stamps,
  },
  {
    examples: [
      {
        id: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
        slug: 'dr-rina-wijaya-sp-jp',
        username: 'rinawijaya',
        name: 'dr. Rina Wijaya, Sp.JP',
        speciality: 'jantung',
        about: 'Dokter spesialis jantung dan pembuluh darah.',
        experience_years: 12,
        image_id: '0d6f1c2a-9b3e-4f5a-8c7d-1e2f3a4b5c6d',
        thumb: THUMB,
        practices: [exampleOf(PracticeResource)],
        ...STAMPS,
      },
    ],
  },
);

export const ArticleResource = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    title: Type.String(),
    excerpt: Nullable(Type.String()),
    body: Type.String(),
    author: Nullable(Type.String()),
    image_id: Nullable(Type.String()),
    thumb: Nullable(Type.String()),
    published_at: Nullable(Type.String()),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  {
    examples: [
      {
        id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
        slug: 'tips-tidur-nyenyak',
        title: 'Tips Tidur Nyenyak',
        excerpt: 'Tidur cukup menjaga daya tahan tubuh.',
        body: '<p>Tidur 7 sampai 9 jam setiap malam.</p>',
        author: 'dr. Maya Tambunan',
        image_id: null,
        thumb: null,
        published_at: '2026-11-27T09:30:12.000Z',
        created_at: '2026-11-20T02:15:00.000Z',
        updated_at: '2026-11-27T09:30:12.000Z',
      },
    ],
  },
);

export const CategoryResource = Type.Object(slugResourceFields, {
  examples: [
    {
      id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      slug: 'vitamin',
      name: 'Vitamin',
      description: 'Vitamin dan suplemen harian.',
      ...STAMPS,
    },
  ],
});

export const ProductResource = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    price: Type.Integer(),
    stock: Type.Integer(),
    category: Type.String(),
    images: Type.Array(Type.Object({ id: Type.String(), url: Type.String() })),
    thumb: Nullable(Type.String()),
    ...Stamps,
  },
  {
    examples: [
      {
        id: '5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c',
        slug: 'vitamin-c-500-mg',
        name: 'Vitamin C 500 mg',
        description: 'Satu tablet sehari sesudah makan.',
        price: 45000,
        stock: 120,
        category: 'vitamin',
        images: [{ id: '0d6f1c2a-9b3e-4f5a-8c7d-1e2f3a4b5c6d', url: THUMB }],
        thumb: THUMB,
        ...STAMPS,
      },
    ],
  },
);

export const AuditResource = Type.Object(
  {
    id: Type.String(),
    actor_user_id: Type.String(),
    actor: Nullable(Type.Object({ name: Type.String(), email: Type.String() })),
    action: Type.String(),
    entity: Type.String(),
    entity_id: Type.String(),
    before: Type.Unknown({ description: 'The record before the change (null on create).' }),
    after: Type.Unknown({ description: 'The record after the change (null on delete).' }),
    created_at: Type.String(),
  },
  {
    examples: [
      {
        id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
        actor_user_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        actor: { name: 'Admin Cexup', email: 'admin@cexup.test' },
        action: 'update',
        entity: 'product',
        entity_id: '5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c',
        before: { price: 45000 },
        after: { price: 42000 },
        created_at: '2026-11-27T09:30:12.000Z',
      },
    ],
  },
);

// Schedules: weekly rules and dated exceptions of a practice, in its hospital's local time.

/** "HH:mm", 00:00 to 23:59. */
export const HM_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
/** "Y-m-d" (whether it is a real date is checked after). */
export const YMD_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
export const SLOT_MINUTES = { minimum: 5, maximum: 240 } as const;

const Hm = Type.String({ pattern: HM_PATTERN });
const Weekday = Type.Integer({ minimum: 1, maximum: 7 });
const SlotMinutes = Type.Integer(SLOT_MINUTES);
const AppointmentType = Type.Enum(['call', 'reservasi']);

export const ScheduleRuleCreate = Type.Object(
  {
    /** ISO weekday: 1 Monday ... 7 Sunday. */
    weekday: Weekday,
    start_time: Hm,
    end_time: Hm,
    slot_minutes: SlotMinutes,
    appointment_type: AppointmentType,
  },
  { examples: [{ weekday: 1, start_time: '08:00', end_time: '12:00', slot_minutes: 30, appointment_type: 'call' }] },
);
export const ScheduleRuleUpdate = Type.Partial(ScheduleRuleCreate, { examples: [{ end_time: '13:00' }] });

export const ScheduleExceptionCreate = Type.Object(
  {
    date: Type.String({ pattern: YMD_PATTERN }),
    /** leave: no slots (the whole day without times); extra: more hours that day. */
    kind: Type.Enum(['leave', 'extra']),
    start_time: Type.Optional(Hm),
    end_time: Type.Optional(Hm),
    slot_minutes: Type.Optional(SlotMinutes),
    appointment_type: Type.Optional(AppointmentType),
  },
  {
    examples: [
      {
        date: '2026-12-24',
        kind: 'extra',
        start_time: '13:00',
        end_time: '15:00',
        slot_minutes: 30,
        appointment_type: 'call',
      },
    ],
  },
);

export const SlotsQuery = Type.Object(
  {
    /** The day, in the hospital's zone. */
    date: Type.String({ pattern: YMD_PATTERN }),
    type: AppointmentType,
  },
  { additionalProperties: true },
);

export const ScheduleQuery = Type.Object(
  {
    /** Exceptions from this date on (Y-m-d); all of them without. */
    from: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
    to: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
  },
  { additionalProperties: true },
);

const RULE_EXAMPLE = {
  id: '8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f',
  practice_id: 301,
  weekday: 1,
  start_time: '08:00',
  end_time: '12:00',
  slot_minutes: 30,
  appointment_type: 'call',
  created_at: '2026-11-20T02:15:00.000Z',
  updated_at: '2026-11-20T02:15:00.000Z',
};

export const ScheduleRuleResource = Type.Object(
  {
    id: Type.String(),
    practice_id: Type.Integer(),
    weekday: Type.Integer(),
    start_time: Type.String(),
    end_time: Type.String(),
    slot_minutes: Type.Integer(),
    appointment_type: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { examples: [RULE_EXAMPLE] },
);

export const ScheduleExceptionResource = Type.Object(
  {
    id: Type.String(),
    practice_id: Type.Integer(),
    date: Type.String(),
    kind: Type.String(),
    start_time: Nullable(Type.String()),
    end_time: Nullable(Type.String()),
    slot_minutes: Nullable(Type.Integer()),
    appointment_type: Nullable(Type.String()),
    created_at: Type.String(),
  },
  {
    examples: [
      {
        id: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
        practice_id: 301,
        date: '2026-12-24',
        kind: 'extra',
        start_time: '13:00',
        end_time: '15:00',
        slot_minutes: 30,
        appointment_type: 'call',
        created_at: '2026-11-27T09:30:12.000Z',
      },
    ],
  },
);

export const ScheduleResource = Type.Object(
  {
    practice: PracticeResource,
    /** The hospital's time zone: every time of this schedule is local to it. */
    timezone: Type.String(),
    rules: Type.Array(ScheduleRuleResource),
    exceptions: Type.Array(ScheduleExceptionResource),
    /** The doctor's weekly rules at their other practices: one timeline, which these may not overlap. */
    other_rules: Type.Array(
      Type.Object({
        ...ScheduleRuleResource.properties,
        hospital: Type.String(),
        timezone: Type.String(),
      }),
    ),
  },
  {
    examples: [
      {
        practice: exampleOf(PracticeResource),
        timezone: 'Asia/Jakarta',
        rules: [RULE_EXAMPLE],
        exceptions: [exampleOf(ScheduleExceptionResource)],
        other_rules: [
          {
            ...RULE_EXAMPLE,
            id: '1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b',
            practice_id: 302,
            weekday: 3,
            hospital: 'rs-harapan-sehat-makassar',
            timezone: 'Asia/Makassar',
          },
        ],
      },
    ],
  },
);

// Orders, as the back office sees them.

export const OrderQuery = Type.Object(
  {
    /** One status, or several separated by commas. */
    status: Type.Optional(Type.String({ maxLength: 400 })),
    /** The doctor's slug. */
    doctor: Type.Optional(Type.String({ maxLength: 100 })),
    /** The hospital's slug. */
    hospital: Type.Optional(Type.String({ maxLength: 100 })),
    /** A transaction id (exactly), or a part of the patient's name (any case). */
    q: Type.Optional(Type.String({ maxLength: 100 })),
    /** The appointment's local date, from and to (Y-m-d, both included). */
    from: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
    to: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
  },
  { additionalProperties: true },
);

export const OrderRefund = Type.Optional(
  Type.Object(
    {
      /** The gateway's refund reference, or a note; kept in the audit log. */
      reference: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { examples: [{ reference: 'transfer BCA 2026-12-01' }] },
  ),
);

/**
 * The order resource patients see (booking's) but for their payment link, and what only the
 * back office sees. `payment_ref` of a sandbox payment is the SHA-256 of the link's secret.
 */
export const AdminOrderResource = Type.Object(
  {
    ...StaffOrderSchema.properties,
    // The back office's own fields.
    doctor_has_hospital_id: Type.Integer(),
    user_id: Type.String(),
    app_id: Type.String(),
    payment_provider: Nullable(Type.String()),
    payment_ref: Nullable(Type.String()),
    paid_at: Nullable(Type.String()),
    refunded_at: Nullable(Type.String()),
    updated_at: Type.String(),
  },
  {
    examples: [
      {
        ...(exampleOf(StaffOrderSchema) as object),
        doctor_has_hospital_id: 51,
        user_id: 'd23d8381-0ee8-4b75-a5a4-8085cda063b6',
        app_id: 'c0ffee00-1234-4abc-8def-0123456789ab',
        payment_provider: 'sandbox',
        payment_ref: 'xBMaZFShkKq8Dj8oRx9RsI2ciCxe132qheapQmqouSw',
        paid_at: null,
        refunded_at: null,
        updated_at: '2026-11-28T00:45:03.000Z',
      },
    ],
  },
);

import { Type, type TSchema } from 'typebox';
import { NullableString, RequiredText } from '../../http/schemas.js';
import { OrderSchema } from '../booking/booking.routes.js';

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

export const SpecialityCreate = Type.Object({
  slug: Slug,
  name: RequiredText(150),
  description: Type.Optional(NullableString({ maxLength: 5000 })),
});
export const SpecialityUpdate = Type.Partial(SpecialityCreate);

const hospitalFields = {
  slug: Slug,
  name: RequiredText(150),
  address: Type.Optional(NullableString({ maxLength: 500 })),
  city: RequiredText(100),
  province: Type.Optional(NullableString({ maxLength: 100 })),
  timezone: Timezone,
  phone: Type.Optional(NullableString({ maxLength: 40 })),
  description: Type.Optional(NullableString({ maxLength: 5000 })),
};
export const HospitalCreate = Type.Object(hospitalFields);
export const HospitalUpdate = Type.Partial(HospitalCreate);

export const DoctorCreate = Type.Object({
  slug: Slug,
  /** Defaults to the slug. */
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: DOCTOR_USERNAME_PATTERN })),
  name: RequiredText(150),
  /** The speciality's slug. */
  speciality: Slug,
  about: Type.Optional(NullableString({ maxLength: 5000 })),
  experience_years: Type.Optional(Type.Integer({ minimum: 0, maximum: 80 })),
});
export const DoctorUpdate = Type.Partial(DoctorCreate);

export const PracticeCreate = Type.Object({
  /** The doctor's slug. */
  doctor: Slug,
  /** The hospital's slug. */
  hospital: Slug,
  call_price: Type.Optional(NullablePrice),
  reservasi_price: Type.Optional(NullablePrice),
});
export const PracticeUpdate = Type.Object({
  call_price: Type.Optional(NullablePrice),
  reservasi_price: Type.Optional(NullablePrice),
});

export const ArticleCreate = Type.Object({
  slug: Slug,
  title: RequiredText(200),
  excerpt: Type.Optional(NullableString({ maxLength: 1000 })),
  /** HTML; sanitised before it is stored. */
  body: RequiredText(200_000),
  author: Type.Optional(NullableString({ maxLength: 150 })),
  /** Publish at once (default: a draft). */
  publish: Type.Optional(Type.Boolean()),
});
export const ArticleUpdate = Type.Partial(Type.Omit(ArticleCreate, ['publish']));

export const CategoryCreate = Type.Object({
  slug: Slug,
  name: RequiredText(150),
  description: Type.Optional(NullableString({ maxLength: 5000 })),
});
export const CategoryUpdate = Type.Partial(CategoryCreate);

export const ProductCreate = Type.Object({
  slug: Slug,
  name: RequiredText(200),
  description: Type.Optional(NullableString({ maxLength: 10_000 })),
  price: Amount,
  stock: Amount,
  /** The category's slug. */
  category: Slug,
});
export const ProductUpdate = Type.Partial(ProductCreate);

export const ImageUpload = Type.Object({
  file: Type.String({ minLength: 1 }),
  type: Type.Optional(Type.String({ maxLength: 40 })),
  extension: Type.Optional(Type.String({ maxLength: 40 })),
});

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
] as const;
export const AUDIT_ACTIONS = ['create', 'update', 'unpublish', 'publish', 'delete', 'image', 'refund'] as const;

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

export const SpecialityResource = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  ...Stamps,
});

export const HospitalResource = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  address: Nullable(Type.String()),
  city: Type.String(),
  province: Nullable(Type.String()),
  timezone: Type.String(),
  phone: Nullable(Type.String()),
  description: Nullable(Type.String()),
  image_id: Nullable(Type.String()),
  thumb: Nullable(Type.String()),
  ...Stamps,
});

export const PracticeResource = Type.Object({
  id: Type.Integer(),
  doctor: Type.String(),
  hospital: Type.String(),
  hospital_name: Type.String(),
  call_price: Nullable(Type.Integer()),
  reservasi_price: Nullable(Type.Integer()),
  appointment_types: Type.Array(Type.String()),
  ...Stamps,
});

export const DoctorResource = Type.Object({
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
});

export const ArticleResource = Type.Object({
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
});

export const CategoryResource = SpecialityResource;

export const ProductResource = Type.Object({
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
});

export const AuditResource = Type.Object({
  id: Type.String(),
  actor_user_id: Type.String(),
  actor: Nullable(Type.Object({ name: Type.String(), email: Type.String() })),
  action: Type.String(),
  entity: Type.String(),
  entity_id: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  created_at: Type.String(),
});

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

export const ScheduleRuleCreate = Type.Object({
  /** ISO weekday: 1 Monday ... 7 Sunday. */
  weekday: Weekday,
  start_time: Hm,
  end_time: Hm,
  slot_minutes: SlotMinutes,
  appointment_type: AppointmentType,
});
export const ScheduleRuleUpdate = Type.Partial(ScheduleRuleCreate);

export const ScheduleExceptionCreate = Type.Object({
  date: Type.String({ pattern: YMD_PATTERN }),
  /** leave: no slots (the whole day without times); extra: more hours that day. */
  kind: Type.Enum(['leave', 'extra']),
  start_time: Type.Optional(Hm),
  end_time: Type.Optional(Hm),
  slot_minutes: Type.Optional(SlotMinutes),
  appointment_type: Type.Optional(AppointmentType),
});

export const ScheduleQuery = Type.Object(
  {
    /** Exceptions from this date on (Y-m-d); all of them without. */
    from: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
    to: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
  },
  { additionalProperties: true },
);

export const ScheduleRuleResource = Type.Object({
  id: Type.String(),
  practice_id: Type.Integer(),
  weekday: Type.Integer(),
  start_time: Type.String(),
  end_time: Type.String(),
  slot_minutes: Type.Integer(),
  appointment_type: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const ScheduleExceptionResource = Type.Object({
  id: Type.String(),
  practice_id: Type.Integer(),
  date: Type.String(),
  kind: Type.String(),
  start_time: Nullable(Type.String()),
  end_time: Nullable(Type.String()),
  slot_minutes: Nullable(Type.Integer()),
  appointment_type: Nullable(Type.String()),
  created_at: Type.String(),
});

export const ScheduleResource = Type.Object({
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
});

// Orders, as the back office sees them.

export const OrderQuery = Type.Object(
  {
    /** One status, or several separated by commas. */
    status: Type.Optional(Type.String({ maxLength: 400 })),
    /** The doctor's slug. */
    doctor: Type.Optional(Type.String({ maxLength: 100 })),
    /** The hospital's slug. */
    hospital: Type.Optional(Type.String({ maxLength: 100 })),
    /** The appointment's local date, from and to (Y-m-d, both included). */
    from: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
    to: Type.Optional(Type.String({ pattern: YMD_PATTERN })),
  },
  { additionalProperties: true },
);

export const OrderRefund = Type.Optional(
  Type.Object({
    /** The gateway's refund reference, or a note; kept in the audit log. */
    reference: Type.Optional(Type.String({ maxLength: 200 })),
  }),
);

/** The order resource patients see (booking's), and what only the back office sees. */
export const AdminOrderResource = Type.Object({
  ...OrderSchema.properties,
  // The back office's own fields.
  doctor_has_hospital_id: Type.Integer(),
  user_id: Type.String(),
  app_id: Type.String(),
  payment_provider: Nullable(Type.String()),
  payment_ref: Nullable(Type.String()),
  paid_at: Nullable(Type.String()),
  refunded_at: Nullable(Type.String()),
  updated_at: Type.String(),
});

import { Type, type TSchema } from 'typebox';
import { NullableString, RequiredText } from '../../http/schemas.js';

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
] as const;
export const AUDIT_ACTIONS = ['create', 'update', 'unpublish', 'publish', 'delete', 'image'] as const;

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

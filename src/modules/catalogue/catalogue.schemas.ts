// The catalogue routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type, type TSchema } from 'typebox';
import { exampleOf, MetaSchema, Nullable, PAGE_FIELDS } from '../../http/schemas.js';

export const PracticeSchema = Type.Object({
  doctor_has_hospital_id: Type.Integer(),
  id: Type.Integer(),
  name: Type.String(),
  slug: Type.String(),
  city: Type.String(),
  timezone: Type.String(),
  appointment_types: Type.Array(Type.Union([Type.Literal('call'), Type.Literal('reservasi')])),
  prices: Type.Object({ call: Nullable(Type.Integer()), reservasi: Nullable(Type.Integer()) }),
});

export const DoctorSchema = Type.Object(
  {
    slug: Type.String(),
    username: Type.String({ description: 'What a booking sends as `username_doctor`.' }),
    name: Type.String(),
    thumb: Nullable(Type.String()),
    speciality: Type.String(),
    speciality_slug: Type.String(),
    about: Nullable(Type.String()),
    experience_years: Type.Integer(),
    hospital: Type.Array(PracticeSchema, { description: 'Where the doctor practises; `id` is what booking sends.' }),
  },
  {
    examples: [
      {
        slug: 'dr-adi-firmansyah-sp-m-26',
        username: 'adifirmansyah26',
        name: 'dr. Adi Firmansyah, Sp.M',
        thumb: null,
        speciality: 'Mata',
        speciality_slug: 'mata',
        about: 'dr. Adi Firmansyah, Sp.M adalah dokter spesialis mata dengan pengalaman praktik 18 tahun.',
        experience_years: 18,
        hospital: [
          {
            doctor_has_hospital_id: 50,
            id: 50,
            name: 'RS Harapan Sehat Makassar',
            slug: 'rs-harapan-sehat-makassar',
            city: 'Makassar',
            timezone: 'Asia/Makassar',
            appointment_types: ['call', 'reservasi'],
            prices: { call: 155000, reservasi: 240000 },
          },
        ],
      },
    ],
  },
);

export const SpecialitySchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
  },
  {
    examples: [
      {
        slug: 'anak',
        name: 'Anak',
        description: 'Kesehatan bayi, anak, dan remaja: tumbuh kembang, imunisasi, gizi, dan penyakit pada anak.',
      },
    ],
  },
);

export const HOSPITAL_EXAMPLE = {
  slug: 'rs-andalas-medika-padang',
  name: 'RS Andalas Medika Padang',
  address: 'Jl. Khatib Sulaiman No. 60, Padang Utara',
  city: 'Padang',
  province: 'Sumatera Barat',
  timezone: 'Asia/Jakarta',
  phone: '(0751) 589797',
  description: 'Rumah sakit umum swasta di Padang dengan laboratorium, IGD 24 jam, radiologi, dan hemodialisis.',
  thumb: null,
};

export const HospitalSchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    address: Nullable(Type.String()),
    city: Type.String(),
    province: Nullable(Type.String()),
    timezone: Type.String(),
    phone: Nullable(Type.String()),
    description: Nullable(Type.String()),
    thumb: Nullable(Type.String()),
  },
  { examples: [HOSPITAL_EXAMPLE] },
);

export const ARTICLE_EXAMPLE = {
  slug: 'mengenal-anemia-defisiensi-besi',
  title: 'Mengenal Anemia Defisiensi Besi: Gejala, Penyebab, dan Penanganannya',
  excerpt: 'Anemia defisiensi besi terjadi ketika tubuh kekurangan zat besi untuk membentuk hemoglobin.',
  author: 'dr. Maya Tambunan',
  thumb: null,
  published_at: '2026-01-04T01:08:00.000Z',
};

export const ArticleSummarySchema = Type.Object(
  {
    slug: Type.String(),
    title: Type.String(),
    excerpt: Nullable(Type.String()),
    author: Nullable(Type.String()),
    thumb: Nullable(Type.String()),
    published_at: Type.String(),
  },
  { examples: [ARTICLE_EXAMPLE] },
);

export const OkList = <T extends TSchema>(item: T) =>
  Type.Object(
    {
      success: Type.Boolean(),
      message: Type.String(),
      data: Type.Array(item),
      meta: Type.Optional(MetaSchema),
    },
    { examples: [{ success: true, message: 'OK.', data: [exampleOf(item)] }] },
  );

/** What the list routes read; the show routes read `slug` from the body instead of the path. */
export const DOCTOR_FILTERS = {
  ...PAGE_FIELDS,
  name: "Part of the doctor's name.",
  speciality: "The speciality's slug or name.",
  hospital: "The hospital's slug or name.",
};
export const SlugParams = Type.Object({ slug: Type.String() });
export type Slugged = { slug: string };

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import {
  Envelope,
  EnvelopePage,
  exampleOf,
  LooseWith,
  MetaSchema,
  NotModified,
  Nullable,
  PAGE_FIELDS,
} from '../../http/schemas.js';
import { AppError, type ErrorCode } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { asksForPage, paginate, readPagination } from '../../http/pagination.js';
import type { CatalogueService, Viewer } from './catalogue.service.js';

const PracticeSchema = Type.Object({
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

const SpecialitySchema = Type.Object(
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

const HOSPITAL_EXAMPLE = {
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

const HospitalSchema = Type.Object(
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

const ARTICLE_EXAMPLE = {
  slug: 'mengenal-anemia-defisiensi-besi',
  title: 'Mengenal Anemia Defisiensi Besi: Gejala, Penyebab, dan Penanganannya',
  excerpt: 'Anemia defisiensi besi terjadi ketika tubuh kekurangan zat besi untuk membentuk hemoglobin.',
  author: 'dr. Maya Tambunan',
  thumb: null,
  published_at: '2026-01-04T01:08:00.000Z',
};

const ArticleSummarySchema = Type.Object(
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

const OkList = <T extends TSchema>(item: T) =>
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
const DOCTOR_FILTERS = {
  ...PAGE_FIELDS,
  name: "Part of the doctor's name.",
  speciality: "The speciality's slug or name.",
  hospital: "The hospital's slug or name.",
};
const SlugParams = Type.Object({ slug: Type.String() });
type Slugged = { slug: string };

/** A text filter from the query or the body; "" and absent mean no filter. */
export function textParam(request: FastifyRequest, name: string, max = 100): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  const b = request.body as Record<string, unknown> | undefined;
  const raw = q?.[name] ?? b?.[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw AppError.field(name, 'string');
  const value = String(raw).trim();
  if (value.length > max) throw AppError.field(name, 'maxLength', { limit: max });
  return value === '' ? undefined : value;
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

/** The slug of a show route: from the path (GET) or the body/query (POST). */
function slugParam(request: FastifyRequest): string {
  const fromPath = (request.params as Record<string, string> | undefined)?.slug;
  const slug = fromPath ?? textParam(request, 'slug', 200);
  if (slug === undefined) throw AppError.field('slug', 'required');
  return slug;
}

/**
 * The catalogue, as the apps read it (POST as the published document has it, GET as current
 * apps also call it; GET answers carry an ETag).
 *
 *   POST|GET /doctor                   doctors: data, page, name, speciality, hospital
 *   POST     /doctor/show   GET /doctor/:slug      one doctor with its practices
 *   GET      /speciality                specialities: all, or a page when data/page is given
 *   POST|GET /hospital                  hospitals: data, page
 *   POST     /hospital/show GET /hospital/:slug    one hospital with its doctors
 *   POST|GET /article                   published articles, newest first: data, page
 *   POST     /article/show  GET /article/:slug     one article
 */
export async function catalogueRoutes(
  fastify: FastifyInstance,
  { catalogue, config }: { catalogue: CatalogueService; config: Pick<Config, 'publicUrl'> },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', etagForGet);
  const viewer = (request: FastifyRequest): Viewer => ({
    scope: request.clientApp!.hospitalScope,
    baseUrl: baseUrlOf(config, request),
  });
  const ok = (request: FastifyRequest) => messages.ok[request.lang];

  /**
   * Answers from the catalogue's body cache: the key is everything the answer depends on (route,
   * app scope and origin, language, parameters); the body is serialised by the route's own
   * response schema the first time, so it carries exactly the fields the schema names.
   */
  const cached = async (
    request: FastifyRequest,
    reply: FastifyReply,
    params: unknown,
    build: () => Promise<Record<string, unknown>>,
  ) => {
    const v = viewer(request);
    const key = JSON.stringify([request.routeOptions.url, v.baseUrl, v.scope, request.lang, params]);
    const body = await catalogue.cachedBody(key, async () => reply.serializeInput(await build(), '200') as string);
    return reply.type('application/json; charset=utf-8').send(body);
  };

  const listDoctors = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = readPagination(request.query, request.body);
    const filter = {
      ...optional('name', textParam(request, 'name')),
      ...optional('speciality', textParam(request, 'speciality')),
      ...optional('hospital', textParam(request, 'hospital')),
    };
    return cached(request, reply, [filter, page], async () => ({
      success: true,
      message: ok(request),
      ...(await catalogue.listDoctors(viewer(request), filter, page)),
    }));
  };
  /** A list route, POST (fields in the body or the query) or GET (the query; an ETag). */
  const listSchema = (
    operationId: string,
    summary: string,
    item: TSchema,
    fields: Record<string, string>,
    method: 'GET' | 'POST',
  ) => ({
    ...op('catalogue', operationId, summary, KEY),
    querystring: LooseWith(fields),
    ...(method === 'POST' ? { body: Type.Optional(LooseWith(fields, { data: 10, page: 1 })) } : {}),
    response: { 200: EnvelopePage(item), ...(method === 'GET' ? { 304: NotModified } : {}) },
  });
  const doctors = 'Doctors by name: filters name, speciality, hospital; data, page';
  app.post(
    '/doctor',
    { schema: listSchema('listDoctors', doctors, DoctorSchema, DOCTOR_FILTERS, 'POST') },
    listDoctors,
  );
  app.get('/doctor', { schema: listSchema('getDoctors', doctors, DoctorSchema, DOCTOR_FILTERS, 'GET') }, listDoctors);

  const showDoctor = async (request: FastifyRequest, reply: FastifyReply) => {
    const slug = slugParam(request);
    return cached(request, reply, slug, async () => ({
      success: true,
      message: ok(request),
      data: await catalogue.showDoctor(viewer(request), slug),
    }));
  };
  /** A show route: POST with `slug` in the body (or query), or GET with it in the path (an ETag). */
  const showSchema = (
    operationId: string,
    summary: string,
    data: TSchema,
    notFound: ErrorCode,
    method: 'GET' | 'POST',
  ) => ({
    ...op('catalogue', operationId, summary, KEY, [notFound]),
    ...(method === 'POST'
      ? {
          body: Type.Optional(LooseWith({ slug: 'The slug (required).' }, { slug: (exampleOf(data) as Slugged).slug })),
        }
      : { params: SlugParams }),
    response: { 200: Envelope(data), ...(method === 'GET' ? { 304: NotModified } : {}) },
  });
  const doctor = ['One doctor with their practices', DoctorSchema, 'DOCTOR_NOT_FOUND'] as const;
  app.post('/doctor/show', { schema: showSchema('showDoctor', ...doctor, 'POST') }, showDoctor);
  app.get('/doctor/:slug', { schema: showSchema('getDoctor', ...doctor, 'GET') }, showDoctor);

  app.get(
    '/speciality',
    {
      schema: {
        ...op('catalogue', 'listSpecialities', 'Specialities: all, or a page when data or page is given', KEY),
        querystring: LooseWith(PAGE_FIELDS),
        response: { 200: OkList(SpecialitySchema) },
      },
    },
    async (request) => {
      const all = await catalogue.listSpecialities();
      // A short list: whole unless the client asks for a page.
      if (!asksForPage(request.query, request.body)) return { success: true, message: ok(request), data: all };
      return { success: true, message: ok(request), ...paginate(all, readPagination(request.query, request.body)) };
    },
  );

  const listHospitals = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = readPagination(request.query, request.body);
    return cached(request, reply, page, async () => ({
      success: true,
      message: ok(request),
      ...paginate(await catalogue.listHospitals(viewer(request)), page),
    }));
  };
  const hospitals = 'Hospitals by name: data, page';
  app.post(
    '/hospital',
    { schema: listSchema('listHospitals', hospitals, HospitalSchema, PAGE_FIELDS, 'POST') },
    listHospitals,
  );
  app.get(
    '/hospital',
    { schema: listSchema('getHospitals', hospitals, HospitalSchema, PAGE_FIELDS, 'GET') },
    listHospitals,
  );

  const HospitalDetail = Type.Object(
    { ...HospitalSchema.properties, doctors: Type.Array(DoctorSchema) },
    { examples: [{ ...HOSPITAL_EXAMPLE, doctors: [exampleOf(DoctorSchema)] }] },
  );
  const showHospital = async (request: FastifyRequest, reply: FastifyReply) => {
    const slug = slugParam(request);
    return cached(request, reply, slug, async () => ({
      success: true,
      message: ok(request),
      data: await catalogue.showHospital(viewer(request), slug),
    }));
  };
  const hospital = ['One hospital with its doctors', HospitalDetail, 'HOSPITAL_NOT_FOUND'] as const;
  app.post('/hospital/show', { schema: showSchema('showHospital', ...hospital, 'POST') }, showHospital);
  app.get('/hospital/:slug', { schema: showSchema('getHospital', ...hospital, 'GET') }, showHospital);

  const listArticles = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = readPagination(request.query, request.body);
    return cached(request, reply, page, async () => ({
      success: true,
      message: ok(request),
      ...paginate(await catalogue.listArticles(viewer(request)), page),
    }));
  };
  const articles = 'Published articles, newest first: data, page';
  app.post(
    '/article',
    { schema: listSchema('listArticles', articles, ArticleSummarySchema, PAGE_FIELDS, 'POST') },
    listArticles,
  );
  app.get(
    '/article',
    { schema: listSchema('getArticles', articles, ArticleSummarySchema, PAGE_FIELDS, 'GET') },
    listArticles,
  );

  const ArticleDetail = Type.Object(
    { ...ArticleSummarySchema.properties, body: Type.String({ description: 'Sanitised HTML.' }) },
    {
      examples: [
        {
          ...ARTICLE_EXAMPLE,
          body: '<p>Anemia defisiensi besi terjadi ketika tubuh kekurangan zat besi.</p><h2>Gejala</h2><ul><li>Mudah lelah</li></ul>',
        },
      ],
    },
  );
  const showArticle = async (request: FastifyRequest, reply: FastifyReply) => {
    const slug = slugParam(request);
    return cached(request, reply, slug, async () => ({
      success: true,
      message: ok(request),
      data: await catalogue.showArticle(viewer(request), slug),
    }));
  };
  const article = ['One published article', ArticleDetail, 'ARTICLE_NOT_FOUND'] as const;
  app.post('/article/show', { schema: showSchema('showArticle', ...article, 'POST') }, showArticle);
  app.get('/article/:slug', { schema: showSchema('getArticle', ...article, 'GET') }, showArticle);
}

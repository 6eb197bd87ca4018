import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import { Envelope, EnvelopePage, exampleOf, LooseWith, NotModified, PAGE_FIELDS } from '../../http/schemas.js';
import { AppError, type ErrorCode } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { KEY, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { asksForPage, paginate, readPagination } from '../../http/pagination.js';
import type { CatalogueService, Viewer } from './catalogue.service.js';
import {
  DoctorSchema,
  SpecialitySchema,
  HOSPITAL_EXAMPLE,
  HospitalSchema,
  ARTICLE_EXAMPLE,
  ArticleSummarySchema,
  OkList,
  DOCTOR_FILTERS,
  SlugParams,
  type Slugged,
} from './catalogue.schemas.js';

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

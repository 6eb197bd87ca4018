import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import { Envelope, EnvelopePage, Loose, MetaSchema, Nullable } from '../../http/schemas.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
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

export const DoctorSchema = Type.Object({
  slug: Type.String(),
  username: Type.String(),
  name: Type.String(),
  thumb: Nullable(Type.String()),
  speciality: Type.String(),
  speciality_slug: Type.String(),
  about: Nullable(Type.String()),
  experience_years: Type.Integer(),
  hospital: Type.Array(PracticeSchema),
});

const SpecialitySchema = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
});

const HospitalSchema = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  address: Nullable(Type.String()),
  city: Type.String(),
  province: Nullable(Type.String()),
  timezone: Type.String(),
  phone: Nullable(Type.String()),
  description: Nullable(Type.String()),
  thumb: Nullable(Type.String()),
});

const ArticleSummarySchema = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  excerpt: Nullable(Type.String()),
  author: Nullable(Type.String()),
  thumb: Nullable(Type.String()),
  published_at: Type.String(),
});

const OkList = <T extends TSchema>(item: T) =>
  Type.Object({
    success: Type.Boolean(),
    message: Type.String(),
    data: Type.Array(item),
    meta: Type.Optional(MetaSchema),
  });

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
  const listSchema = (item: TSchema, withBody = true) => ({
    querystring: Loose,
    ...(withBody ? { body: Type.Optional(Loose) } : {}),
    response: { 200: EnvelopePage(item) },
  });
  app.post('/doctor', { schema: listSchema(DoctorSchema) }, listDoctors);
  app.get('/doctor', { schema: listSchema(DoctorSchema, false) }, listDoctors);

  const showDoctor = async (request: FastifyRequest, reply: FastifyReply) => {
    const slug = slugParam(request);
    return cached(request, reply, slug, async () => ({
      success: true,
      message: ok(request),
      data: await catalogue.showDoctor(viewer(request), slug),
    }));
  };
  app.post(
    '/doctor/show',
    { schema: { body: Type.Optional(Loose), response: { 200: Envelope(DoctorSchema) } } },
    showDoctor,
  );
  app.get('/doctor/:slug', { schema: { response: { 200: Envelope(DoctorSchema) } } }, showDoctor);

  app.get(
    '/speciality',
    { schema: { querystring: Loose, response: { 200: OkList(SpecialitySchema) } } },
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
  app.post('/hospital', { schema: listSchema(HospitalSchema) }, listHospitals);
  app.get('/hospital', { schema: listSchema(HospitalSchema, false) }, listHospitals);

  const HospitalDetail = Type.Object({ ...HospitalSchema.properties, doctors: Type.Array(DoctorSchema) });
  const showHospital = async (request: FastifyRequest, reply: FastifyReply) => {
    const slug = slugParam(request);
    return cached(request, reply, slug, async () => ({
      success: true,
      message: ok(request),
      data: await catalogue.showHospital(viewer(request), slug),
    }));
  };
  app.post(
    '/hospital/show',
    { schema: { body: Type.Optional(Loose), response: { 200: Envelope(HospitalDetail) } } },
    showHospital,
  );
  app.get('/hospital/:slug', { schema: { response: { 200: Envelope(HospitalDetail) } } }, showHospital);

  const listArticles = async (request: FastifyRequest, reply: FastifyReply) => {
    const page = readPagination(request.query, request.body);
    return cached(request, reply, page, async () => ({
      success: true,
      message: ok(request),
      ...paginate(await catalogue.listArticles(viewer(request)), page),
    }));
  };
  app.post('/article', { schema: listSchema(ArticleSummarySchema) }, listArticles);
  app.get('/article', { schema: listSchema(ArticleSummarySchema, false) }, listArticles);

  const ArticleDetail = Type.Object({ ...ArticleSummarySchema.properties, body: Type.String() });
  const showArticle = async (request: FastifyRequest, reply: FastifyReply) => {
    const slug = slugParam(request);
    return cached(request, reply, slug, async () => ({
      success: true,
      message: ok(request),
      data: await catalogue.showArticle(viewer(request), slug),
    }));
  };
  app.post(
    '/article/show',
    { schema: { body: Type.Optional(Loose), response: { 200: Envelope(ArticleDetail) } } },
    showArticle,
  );
  app.get('/article/:slug', { schema: { response: { 200: Envelope(ArticleDetail) } } }, showArticle);
}

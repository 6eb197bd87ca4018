import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from 'typebox';
import type { AdminDeps } from './admin-deps.js';
import type { Config } from '../../config.js';
import { bearerGuard, currentSession } from '../../http/auth.js';
import type { ErrorCode } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { ADMIN, KEY, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import { Envelope } from '../../http/schemas.js';
import { LoginBody, SessionSchema, UserResourceSchema } from '../accounts/index.js';
import { toUserResource } from '../accounts/index.js';
import { AVATAR_MAX_BYTES } from '../accounts/index.js';
import { EnvelopePage } from '../../http/schemas.js';
import {
  ArticleCreate,
  ArticleResource,
  ArticleUpdate,
  AuditQuery,
  AuditResource,
  CategoryCreate,
  CategoryResource,
  CategoryUpdate,
  DoctorCreate,
  DoctorResource,
  DoctorUpdate,
  HospitalCreate,
  HospitalResource,
  HospitalUpdate,
  ImageUpload,
  ListQuery,
  PracticeCreate,
  PracticeResource,
  PracticeUpdate,
  ProductCreate,
  ProductResource,
  ProductUpdate,
  SpecialityCreate,
  SpecialityResource,
  SpecialityUpdate,
} from './admin.schemas.js';
import { KINDS, type ImageKind, type KindInputs, type ListFilter, type SlugKind } from './admin-catalogue.js';
import { appsAdminRoutes } from './admin-apps.routes.js';
import { bookingAdminRoutes, practiceId } from './admin-booking.routes.js';
import { catalogueImportAdminRoutes } from './admin-import.routes.js';
import { dashboardAdminRoutes } from './admin-dashboard.routes.js';
import { AdminOrders } from './admin-orders.js';
import { AdminSchedules } from './admin-schedules.js';
import { adminSessionRoutes } from './admin-session.routes.js';
import { adminScopeGuard, scopedFilter } from './admin-scope.js';
import { AdminStaff } from './admin-staff.js';
import { staffRoutes } from './admin-staff.routes.js';

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const IdParams = Type.Object({ id: Type.String({ maxLength: 20 }) });

const KIND_SCHEMAS: Record<SlugKind, { create: TSchema; update: TSchema; resource: TSchema }> = {
  specialities: { create: SpecialityCreate, update: SpecialityUpdate, resource: SpecialityResource },
  hospitals: { create: HospitalCreate, update: HospitalUpdate, resource: HospitalResource },
  doctors: { create: DoctorCreate, update: DoctorUpdate, resource: DoctorResource },
  articles: { create: ArticleCreate, update: ArticleUpdate, resource: ArticleResource },
  'product-categories': { create: CategoryCreate, update: CategoryUpdate, resource: CategoryResource },
  products: { create: ProductCreate, update: ProductUpdate, resource: ProductResource },
};

const IMAGE_KINDS: ImageKind[] = ['doctors', 'hospitals', 'articles', 'products'];

/** A kind's name in summaries and operationIds: one, and many. */
const KIND_NAMES: Record<SlugKind, [string, string]> = {
  specialities: ['Speciality', 'Specialities'],
  hospitals: ['Hospital', 'Hospitals'],
  doctors: ['Doctor', 'Doctors'],
  articles: ['Article', 'Articles'],
  'product-categories': ['ProductCategory', 'ProductCategories'],
  products: ['Product', 'Products'],
};
/** "ProductCategory" → "product category". */
const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/**
 * The back office. Admin accounts are made with `npm run cli -- admins create`; every route but
 * the login needs an admin's Bearer token (a patient's is a 401). Every change is audited and
 * shows in the public catalogue at once.
 *
 *   POST   /login/admin                         log in (email, password)          key
 *   GET    /admin/me                            own user resource                 key + admin token
 *   POST   /admin/logout                        end this session                  key + admin token
 *   GET    /admin/audit-log                     changes, newest first: entity, entity_id, action, actor_user_id, page, data
 *
 *   for E in specialities, hospitals, doctors, articles, product-categories, products:
 *   GET    /admin/E                             list, unpublished too: q, status, page, data
 *                                               (doctors: speciality; products: category)
 *   POST   /admin/E                             create (201)
 *   GET    /admin/E/:slug                       one
 *   PUT    /admin/E/:slug                       update (any subset of the fields; null clears)
 *   POST   /admin/E/:slug/unpublish             hide from patients (articles: back to draft)
 *   POST   /admin/E/:slug/publish               show again
 *   DELETE /admin/E/:slug                       delete (409 while still referenced)
 *
 *   practices (a doctor at a hospital) are the same by numeric id: /admin/practices/:id
 *   (list filters doctor, hospital, status)
 *
 *   POST   /admin/{doctors|hospitals|articles|products}/:slug/image   a picture (products: one more)
 *   DELETE /admin/products/:slug/images/:imageId                       take a product picture off
 *
 *   schedules of a practice and orders: see admin-booking.routes.ts
 *   /admin/practices/:id/schedule[/rules[/:ruleId] | /exceptions[/:exceptionId]]
 *   /admin/orders[/:transaction_id[/refund]]
 */
const NUMERIC_FIELDS = [
  'price',
  'stock',
  'call_price',
  'reservasi_price',
  'experience_years',
  'weekday',
  'slot_minutes',
] as const;

export async function adminRoutes(
  fastify: FastifyInstance,
  { services, config }: { services: AdminDeps; config: Config },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Amounts may come as digit strings ("85000"), as money does everywhere in the contract; null
  // and booleans are never numbers (no type coercion), so they fail validation instead.
  app.addHook('preValidation', async (request) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    const record = body as Record<string, unknown>;
    for (const field of NUMERIC_FIELDS) {
      const value = record[field];
      if (typeof value === 'string' && /^\s*\d{1,12}\s*$/.test(value)) record[field] = Number(value);
    }
  });
  const admin = services.admin;
  const clock = () => admin.now();
  const schedules = new AdminSchedules(admin.db, clock, () => services.booking.invalidate());
  const orders = new AdminOrders(admin.db, services.booking, clock);

  app.post(
    '/login/admin',
    {
      config: { rateLimit: { max: config.limits.loginPerAddressPerMinute, timeWindow: 60_000 } },
      schema: {
        ...op('admin', 'loginAdmin', 'Log in an admin', KEY, [
          'INVALID_CREDENTIALS',
          'LOGIN_LOCKED',
          'ACCOUNT_DISABLED',
        ]),
        body: { ...LoginBody, examples: [{ email: 'admin@cexup.test', password: 'rahasia-admin-2026' }] },
        response: { 200: Envelope(SessionSchema, messages.loggedIn.en) },
      },
    },
    async (request) => {
      const { user, token } = await services.accounts.login(
        request.body.email,
        request.body.password,
        request.clientApp!.id,
        request.ip,
        'admin',
      );
      return {
        success: true,
        message: messages.loggedIn[request.lang],
        data: { ...token, user: toUserResource(user, baseUrlOf(config, request)) },
      };
    },
  );

  await app.register(adminSessionRoutes, { prefix: '/admin', services, config });

  await app.register(
    async (instance) => {
      const r = instance.withTypeProvider<TypeBoxTypeProvider>();
      r.addHook('onRequest', bearerGuard(services.accounts, 'admin'));
      // Operator or hospital admin: what this admin may touch (admin-scope.ts).
      r.addHook('preHandler', adminScopeGuard(admin.db));
      const actor = (request: FastifyRequest) => currentSession(request).user.id;
      const base = (request: FastifyRequest) => baseUrlOf(config, request);
      const one = async (kind: SlugKind, row: object, request: FastifyRequest) =>
        (await admin.catalogue.resources(kind, [row], base(request)))[0]!;

      const me = {
        ...op('admin', 'adminMe', 'The own user resource', ADMIN),
        response: { 200: Envelope(UserResourceSchema) },
      };
      r.get('/me', { schema: me }, async (request) => ({
        success: true,
        message: messages.ok[request.lang],
        data: toUserResource(currentSession(request).user, base(request)),
      }));

      const logout = {
        ...op('admin', 'adminLogout', 'End this session', ADMIN),
        response: { 200: Envelope(Type.Null(), messages.loggedOut.en) },
      };
      r.post('/logout', { schema: logout }, async (request) => {
        await services.accounts.logout(currentSession(request));
        return { success: true, message: messages.loggedOut[request.lang], data: null };
      });

      r.get(
        '/audit-log',
        {
          schema: {
            ...op(
              'admin',
              'auditLog',
              'Changes, newest first: entity, entity_id, action, actor_user_id, data, page',
              ADMIN,
            ),
            querystring: AuditQuery,
            response: { 200: EnvelopePage(AuditResource) },
          },
        },
        async (request) => {
          const q = request.query;
          const page = await admin.auditLog(
            {
              ...(q.entity !== undefined ? { entity: q.entity } : {}),
              ...(q.entity_id !== undefined ? { entityId: q.entity_id } : {}),
              ...(q.action !== undefined ? { action: q.action } : {}),
              ...(q.actor_user_id !== undefined ? { actorUserId: q.actor_user_id } : {}),
            },
            readPagination(request.query, undefined),
          );
          // An order's audit entries hold the order as it was (the patient's name and note).
          await services.privacy.recordOrderReads(
            { id: actor(request), role: 'admin' },
            'audit_log',
            page.data.filter((e) => e.entity === 'order').map((e) => e.entity_id),
          );
          return { success: true, message: messages.ok[request.lang], ...page };
        },
      );

      const listFilter = (query: Record<string, unknown>): ListFilter => {
        const filter: ListFilter = {};
        for (const key of ['q', 'status', 'speciality', 'hospital', 'doctor', 'category'] as const) {
          const value = query[key];
          if (typeof value === 'string' && value.trim() !== '') Object.assign(filter, { [key]: value.trim() });
        }
        return filter;
      };

      const registerKind = <K extends SlugKind>(kind: K) => {
        const schemas = KIND_SCHEMAS[kind];
        const path = `/${kind}`;
        const [single, many] = KIND_NAMES[kind];
        const { notFound, inUse } = KINDS[kind];
        const doc = (verb: string, summary: string, errors: ErrorCode[] = [notFound]) =>
          op('admin catalogue', `admin${verb}${verb === 'List' ? many : single}`, summary, ADMIN, errors);
        r.get(
          path,
          {
            schema: {
              ...doc('List', `${many}, unpublished too: q, status, data, page`, []),
              querystring: ListQuery,
              response: { 200: EnvelopePage(schemas.resource) },
            },
          },
          async (request) => {
            const { rows, meta } = await admin.catalogue.list(
              kind,
              scopedFilter(request, listFilter(request.query)),
              readPagination(request.query, undefined),
            );
            return {
              success: true,
              message: messages.ok[request.lang],
              data: await admin.catalogue.resources(kind, rows, base(request)),
              meta,
            };
          },
        );
        r.post(
          path,
          {
            schema: {
              ...doc('Create', `Create a ${words(single)}`, []),
              body: schemas.create,
              response: { 201: Envelope(schemas.resource, messages.created.en) },
            },
          },
          async (request, reply) => {
            const row = await admin.catalogue.create(kind, actor(request), request.body as KindInputs[K]);
            return reply
              .code(201)
              .send({ success: true, message: messages.created[request.lang], data: await one(kind, row, request) });
          },
        );
        r.get(
          `${path}/:slug`,
          {
            schema: {
              ...doc('Get', `One ${words(single)}`),
              params: SlugParams,
              response: { 200: Envelope(schemas.resource) },
            },
          },
          async (request) => ({
            success: true,
            message: messages.ok[request.lang],
            data: await one(kind, await admin.catalogue.findRow(kind, request.params.slug), request),
          }),
        );
        r.put(
          `${path}/:slug`,
          {
            schema: {
              ...doc('Update', `Change any of a ${words(single)}'s fields (null clears)`),
              params: SlugParams,
              body: schemas.update,
              response: { 200: Envelope(schemas.resource, messages.updated.en) },
            },
          },
          async (request) => {
            const row = await admin.catalogue.update(
              kind,
              actor(request),
              request.params.slug,
              request.body as KindInputs[K],
            );
            return { success: true, message: messages.updated[request.lang], data: await one(kind, row, request) };
          },
        );
        for (const publish of [false, true]) {
          r.post(
            `${path}/:slug/${publish ? 'publish' : 'unpublish'}`,
            {
              schema: {
                ...(publish
                  ? doc('Publish', `Show a ${words(single)} to patients again`)
                  : doc('Unpublish', `Hide a ${words(single)} from patients`)),
                params: SlugParams,
                response: { 200: Envelope(schemas.resource, (publish ? messages.published : messages.unpublished).en) },
              },
            },
            async (request) => {
              const row = await admin.catalogue.setPublished(kind, actor(request), request.params.slug, publish);
              return {
                success: true,
                message: (publish ? messages.published : messages.unpublished)[request.lang],
                data: await one(kind, row, request),
              };
            },
          );
        }
        r.delete(
          `${path}/:slug`,
          {
            schema: {
              ...doc('Delete', `Delete a ${words(single)} (409 while still referenced)`, [notFound, inUse]),
              params: SlugParams,
              response: { 200: Envelope(Type.Null(), messages.deleted.en) },
            },
          },
          async (request) => {
            await admin.catalogue.remove(kind, actor(request), request.params.slug);
            return { success: true, message: messages.deleted[request.lang], data: null };
          },
        );
      };
      for (const kind of Object.keys(KIND_SCHEMAS) as SlugKind[]) registerKind(kind);

      for (const kind of IMAGE_KINDS) {
        r.post(
          `/${kind}/:slug/image`,
          {
            // base64 is a third larger than the 2 MB it encodes, plus the JSON around it.
            bodyLimit: Math.ceil((AVATAR_MAX_BYTES * 4) / 3) + 64 * 1024,
            schema: {
              ...op(
                'admin catalogue',
                `adminSet${KIND_NAMES[kind][0]}Image`,
                `A picture of a ${words(KIND_NAMES[kind][0])}${kind === 'products' ? ' (one more)' : ''}`,
                ADMIN,
                [KINDS[kind].notFound, 'IMAGE_TOO_LARGE', 'IMAGE_DIMENSIONS_TOO_LARGE', 'UNSUPPORTED_IMAGE'],
              ),
              params: SlugParams,
              body: ImageUpload,
              response: { 200: Envelope(KIND_SCHEMAS[kind].resource, messages.imageSaved.en) },
            },
          },
          async (request) => {
            const { file, type, extension } = request.body;
            const row = await admin.catalogue.uploadImage(
              kind,
              actor(request),
              request.params.slug,
              file,
              type ?? extension,
            );
            return { success: true, message: messages.imageSaved[request.lang], data: await one(kind, row, request) };
          },
        );
      }
      r.delete(
        '/products/:slug/images/:imageId',
        {
          schema: {
            ...op('admin catalogue', 'adminRemoveProductImage', 'Take a picture off a product', ADMIN, [
              'PRODUCT_NOT_FOUND',
              'NOT_FOUND',
            ]),
            params: Type.Object({ slug: Type.String({ maxLength: 200 }), imageId: Type.String({ maxLength: 100 }) }),
            response: { 200: Envelope(ProductResource, messages.imageRemoved.en) },
          },
        },
        async (request) => {
          const row = await admin.catalogue.removeProductImage(
            actor(request),
            request.params.slug,
            request.params.imageId,
          );
          return {
            success: true,
            message: messages.imageRemoved[request.lang],
            data: (await one('products', row, request)) as Static<typeof ProductResource>,
          };
        },
      );

      // Practices, by their numeric id.
      const practice = async (id: number, request: FastifyRequest) => ({
        success: true,
        message: messages.ok[request.lang],
        data: await admin.practices.resource(id),
      });
      r.get(
        '/practices',
        {
          schema: {
            ...op('admin catalogue', 'adminListPractices', 'Practices: doctor, hospital, status, data, page', ADMIN),
            querystring: ListQuery,
            response: { 200: EnvelopePage(PracticeResource) },
          },
        },
        async (request) => ({
          success: true,
          message: messages.ok[request.lang],
          ...(await admin.practices.list(
            scopedFilter(request, listFilter(request.query)),
            readPagination(request.query, undefined),
          )),
        }),
      );
      r.post(
        '/practices',
        {
          schema: {
            ...op('admin catalogue', 'adminCreatePractice', 'A doctor at a hospital, with prices', ADMIN, [
              'DOCTOR_NOT_FOUND',
              'HOSPITAL_NOT_FOUND',
            ]),
            body: PracticeCreate,
            response: { 201: Envelope(PracticeResource, messages.created.en) },
          },
        },
        async (request, reply) => {
          const id = await admin.practices.create(actor(request), request.body);
          return reply.code(201).send({ ...(await practice(id, request)), message: messages.created[request.lang] });
        },
      );
      r.get(
        '/practices/:id',
        {
          schema: {
            ...op('admin catalogue', 'adminGetPractice', 'One practice', ADMIN, ['PRACTICE_NOT_FOUND']),
            params: IdParams,
            response: { 200: Envelope(PracticeResource) },
          },
        },
        (request) => practice(practiceId(request.params.id), request),
      );
      r.put(
        '/practices/:id',
        {
          schema: {
            ...op('admin catalogue', 'adminUpdatePractice', "Change a practice's prices (null: not offered)", ADMIN, [
              'PRACTICE_NOT_FOUND',
            ]),
            params: IdParams,
            body: PracticeUpdate,
            response: { 200: Envelope(PracticeResource, messages.updated.en) },
          },
        },
        async (request) => {
          const id = await admin.practices.update(actor(request), practiceId(request.params.id), request.body);
          return { ...(await practice(id, request)), message: messages.updated[request.lang] };
        },
      );
      for (const publish of [false, true]) {
        r.post(
          `/practices/:id/${publish ? 'publish' : 'unpublish'}`,
          {
            schema: {
              ...op(
                'admin catalogue',
                publish ? 'adminPublishPractice' : 'adminUnpublishPractice',
                publish ? 'Show a practice to patients again' : 'Hide a practice from patients',
                ADMIN,
                ['PRACTICE_NOT_FOUND'],
              ),
              params: IdParams,
              response: { 200: Envelope(PracticeResource, (publish ? messages.published : messages.unpublished).en) },
            },
          },
          async (request) => {
            const id = await admin.practices.setPublished(actor(request), practiceId(request.params.id), publish);
            return {
              ...(await practice(id, request)),
              message: (publish ? messages.published : messages.unpublished)[request.lang],
            };
          },
        );
      }
      r.delete(
        '/practices/:id',
        {
          schema: {
            ...op('admin catalogue', 'adminDeletePractice', 'Delete a practice (409 while orders refer to it)', ADMIN, [
              'PRACTICE_NOT_FOUND',
              'STILL_REFERENCED',
            ]),
            params: IdParams,
            response: { 200: Envelope(Type.Null(), messages.deleted.en) },
          },
        },
        async (request) => {
          await admin.practices.remove(actor(request), practiceId(request.params.id));
          return { success: true, message: messages.deleted[request.lang], data: null };
        },
      );

      bookingAdminRoutes(instance, { schedules, orders, actor, base, privacy: services.privacy });
      appsAdminRoutes(instance, { apps: services.apps, actor, overlapHours: config.apiKeyOverlapHours });
      staffRoutes(instance, { staff: new AdminStaff(admin.db, clock), actor });
      catalogueImportAdminRoutes(instance, { services, now: clock, actor });
      dashboardAdminRoutes(instance, { db: admin.db, now: clock });
    },
    { prefix: '/admin' },
  );
}

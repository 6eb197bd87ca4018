import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import { AppError } from '../../http/errors.js';
import { messages } from '../../http/i18n.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import type { CatalogueService } from '../catalogue/catalogue.service.js';
import { MetaSchema } from '../catalogue/catalogue.routes.js';
import { ShopService } from './shop.service.js';

const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);

export const ProductSchema = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  price: Type.Integer(),
  stock: Type.Integer(),
  images: Type.Array(Type.String()),
  category: Type.Object({ slug: Type.String(), name: Type.String() }),
});

export const CategorySchema = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  product_count: Type.Integer(),
});

const Ok = <T extends TSchema>(data: T) => Type.Object({ success: Type.Boolean(), message: Type.String(), data });
const OkPage = <T extends TSchema>(item: T) =>
  Type.Object({ success: Type.Boolean(), message: Type.String(), data: Type.Array(item), meta: MetaSchema });

/** Query strings of the lists: anything; the handlers read what they know. */
const Loose = Type.Object({}, { additionalProperties: true });
const SlugParams = Type.Object({ slug: Type.String() });

/** A GET body is only a few pagination fields: more than this is refused. */
const GET_BODY_LIMIT = 16 * 1024;

/**
 * The published document sends `data` and `page` of these GET routes in a JSON body, which
 * Fastify does not read on GET. Such a body, when there is one, is read here (JSON only, small,
 * with the POST routes' rules: malformed or `__proto__` → 400, too large → 413).
 */
async function readGetBody(fastify: FastifyInstance, request: FastifyRequest, payload: Readable): Promise<void> {
  const length = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || length === '0')) return;
  if (!chunked && !(Number(length) <= GET_BODY_LIMIT)) throw new AppError('PAYLOAD_TOO_LARGE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > GET_BODY_LIMIT) throw new AppError('PAYLOAD_TOO_LARGE');
    chunks.push(buf);
  }
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') return;
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return;
  const parse = fastify.getDefaultJsonParser('error', 'error');
  request.body = await new Promise<unknown>((resolve, reject) =>
    parse(request, text, (err, body) => (err ? reject(new AppError('MALFORMED_JSON')) : resolve(body))),
  );
}

/**
 * The health shop (GET answers carry an ETag; no token needed).
 *
 *   GET /ecommerce/product            published products, by name: page, data
 *   GET /ecommerce/product/:slug      one product
 *   GET /ecommerce/category           published categories, by name: page, data
 *   GET /ecommerce/category/:slug     the products of one category: page, data
 *
 * `page`/`data` come from the query string (the document's own `?page=1?data=10` included) or
 * a JSON body. The service is made here on the app's database unless one is handed in.
 */
export async function shopRoutes(
  fastify: FastifyInstance,
  deps: {
    catalogue: CatalogueService;
    config: Pick<Config, 'publicUrl'> & Partial<Pick<Config, 'cacheTtlMs'>>;
    shop?: ShopService;
  },
): Promise<void> {
  const { config } = deps;
  const shop = deps.shop ?? new ShopService(fastify.database.db, { cacheTtlMs: config.cacheTtlMs ?? 1000 });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method === 'GET') await readGetBody(fastify, request, payload);
    return payload;
  });
  app.addHook('onSend', etagForGet);
  const ok = (request: FastifyRequest) => messages.ok[request.lang];
  const page = (request: FastifyRequest) => readPagination(request.query, request.body);
  const base = (request: FastifyRequest) => baseUrlOf(config, request);

  app.get(
    '/ecommerce/product',
    { schema: { querystring: Loose, response: { 200: OkPage(ProductSchema) } } },
    async (request) => ({
      success: true,
      message: ok(request),
      ...(await shop.listProducts(base(request), page(request))),
    }),
  );

  app.get(
    '/ecommerce/product/:slug',
    { schema: { params: SlugParams, response: { 200: Ok(ProductSchema) } } },
    async (request) => ({
      success: true,
      message: ok(request),
      data: await shop.showProduct(base(request), request.params.slug),
    }),
  );

  app.get(
    '/ecommerce/category',
    { schema: { querystring: Loose, response: { 200: OkPage(CategorySchema) } } },
    async (request) => ({ success: true, message: ok(request), ...(await shop.listCategories(page(request))) }),
  );

  app.get(
    '/ecommerce/category/:slug',
    { schema: { params: SlugParams, querystring: Loose, response: { 200: OkPage(ProductSchema) } } },
    async (request) => ({
      success: true,
      message: ok(request),
      ...(await shop.listCategoryProducts(base(request), request.params.slug, page(request))),
    }),
  );
}

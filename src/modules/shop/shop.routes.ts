import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import { Envelope, EnvelopePage, Loose, Nullable } from '../../http/schemas.js';
import { messages } from '../../http/i18n.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import type { ShopService } from './shop.service.js';

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

const SlugParams = Type.Object({ slug: Type.String() });

/**
 * The health shop (GET answers carry an ETag; no token needed).
 *
 *   GET /ecommerce/product            published products, by name: page, data
 *   GET /ecommerce/product/:slug      one product
 *   GET /ecommerce/category           published categories, by name: page, data
 *   GET /ecommerce/category/:slug     the products of one category: page, data
 *
 * `page`/`data` come from the query string (the document's own `?page=1?data=10` included) or
 * a JSON body.
 */
export async function shopRoutes(
  fastify: FastifyInstance,
  { shop: service, config }: { shop: ShopService; config: Pick<Config, 'publicUrl'> },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', etagForGet);
  const ok = (request: FastifyRequest) => messages.ok[request.lang];
  const base = (request: FastifyRequest) => baseUrlOf(config, request);

  /**
   * Answers from the shop's body cache: the key is everything the answer depends on (route,
   * origin, language, parameters); the body is serialised by the route's own response schema
   * the first time, so it carries exactly the fields the schema names.
   */
  const cached = async (
    request: FastifyRequest,
    reply: FastifyReply,
    params: unknown,
    build: () => Promise<Record<string, unknown>>,
  ) => {
    const key = JSON.stringify([request.routeOptions.url, base(request), request.lang, params]);
    const body = await service.cachedBody(key, async () => reply.serializeInput(await build(), '200') as string);
    return reply.type('application/json; charset=utf-8').send(body);
  };

  app.get(
    '/ecommerce/product',
    { schema: { querystring: Loose, response: { 200: EnvelopePage(ProductSchema) } } },
    async (request, reply) => {
      const page = readPagination(request.query, request.body);
      return cached(request, reply, page, async () => ({
        success: true,
        message: ok(request),
        ...(await service.listProducts(base(request), page)),
      }));
    },
  );

  app.get(
    '/ecommerce/product/:slug',
    { schema: { params: SlugParams, response: { 200: Envelope(ProductSchema) } } },
    async (request, reply) => {
      const { slug } = request.params;
      return cached(request, reply, slug, async () => ({
        success: true,
        message: ok(request),
        data: await service.showProduct(base(request), slug),
      }));
    },
  );

  app.get(
    '/ecommerce/category',
    { schema: { querystring: Loose, response: { 200: EnvelopePage(CategorySchema) } } },
    async (request, reply) => {
      const page = readPagination(request.query, request.body);
      return cached(request, reply, page, async () => ({
        success: true,
        message: ok(request),
        ...(await service.listCategories(page)),
      }));
    },
  );

  app.get(
    '/ecommerce/category/:slug',
    { schema: { params: SlugParams, querystring: Loose, response: { 200: EnvelopePage(ProductSchema) } } },
    async (request, reply) => {
      const { slug } = request.params;
      const page = readPagination(request.query, request.body);
      return cached(request, reply, [slug, page], async () => ({
        success: true,
        message: ok(request),
        ...(await service.listCategoryProducts(base(request), slug, page)),
      }));
    },
  );
}

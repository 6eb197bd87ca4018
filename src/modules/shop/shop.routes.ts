import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import { Envelope, EnvelopePage, NotModified } from '../../http/schemas.js';
import { messages } from '../../http/i18n.js';
import { KEY, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import type { ShopService } from './shop.service.js';
import { ProductSchema, CategorySchema, PageQuery, SlugParams } from './shop.schemas.js';

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
    {
      schema: {
        ...op('shop', 'listProducts', 'Published products, by name: data, page', KEY),
        querystring: PageQuery,
        response: { 200: EnvelopePage(ProductSchema), 304: NotModified },
      },
    },
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
    {
      schema: {
        ...op('shop', 'getProduct', 'One product', KEY, ['PRODUCT_NOT_FOUND']),
        params: SlugParams,
        response: { 200: Envelope(ProductSchema), 304: NotModified },
      },
    },
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
    {
      schema: {
        ...op('shop', 'listCategories', 'Published categories, by name: data, page', KEY),
        querystring: PageQuery,
        response: { 200: EnvelopePage(CategorySchema), 304: NotModified },
      },
    },
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
    {
      schema: {
        ...op('shop', 'listCategoryProducts', 'The products of one category: data, page', KEY, ['CATEGORY_NOT_FOUND']),
        params: SlugParams,
        querystring: PageQuery,
        response: { 200: EnvelopePage(ProductSchema), 304: NotModified },
      },
    },
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

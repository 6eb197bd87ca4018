import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { etagForGet } from '../../http/etag.js';
import { Envelope, EnvelopePage, LooseWith, NotModified, Nullable, PAGE_FIELDS } from '../../http/schemas.js';
import { messages } from '../../http/i18n.js';
import { KEY, op } from '../../http/openapi.js';
import { baseUrlOf } from '../../http/origin.js';
import { readPagination } from '../../http/pagination.js';
import type { ShopService } from './shop.service.js';

export const ProductSchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    price: Type.Integer({ description: 'Whole rupiah.' }),
    stock: Type.Integer(),
    images: Type.Array(Type.String(), { description: 'Image URLs.' }),
    category: Type.Object({ slug: Type.String(), name: Type.String() }),
  },
  {
    examples: [
      {
        slug: 'alat-cek-gula-darah-set',
        name: 'Alat Cek Gula Darah Set',
        description: 'Alat pemantau gula darah di rumah. Simpan di tempat sejuk dan kering.',
        price: 275000,
        stock: 176,
        images: ['https://api.cexup.com/files/images/0d6f1c2a-9b3e-4f5a-8c7d-1e2f3a4b5c6d.jpg'],
        category: { slug: 'alat-kesehatan', name: 'Alat Kesehatan' },
      },
    ],
  },
);

export const CategorySchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    product_count: Type.Integer(),
  },
  {
    examples: [
      {
        slug: 'alat-kesehatan',
        name: 'Alat Kesehatan',
        description: 'Alat pemantau kesehatan di rumah, masker, dan perlengkapan perawatan.',
        product_count: 15,
      },
    ],
  },
);

const PageQuery = LooseWith(PAGE_FIELDS);

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

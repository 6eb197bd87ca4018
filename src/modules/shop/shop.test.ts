import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalogue } from '../../http/errors.js';
import { fieldMessages, messages } from '../../http/i18n.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION } from '../catalogue/catalogue.service.js';
import { build, envelope, type TestApp } from '../../../test/helpers.js';
import { systemClock } from '../../clock.js';

const ORIGIN = 'https://shop.example.id';
const MADU_IMAGES = [randomUUID(), randomUUID()];
const MINYAK_IMAGE = randomUUID();

const CATEGORIES = {
  vitamin: { id: 'shopcat-vitamin', slug: 'vitamin', name: 'Vitamin dan Suplemen', description: 'Daya tahan tubuh' },
  alat: { id: 'shopcat-alat', slug: 'alat-kesehatan', name: 'Alat Kesehatan', description: null },
  kosong: { id: 'shopcat-kosong', slug: 'kosong', name: 'Kosong', description: 'Belum ada produk' },
  massal: { id: 'shopcat-massal', slug: 'massal', name: 'Perlengkapan Massal', description: null },
  hidden: { id: 'shopcat-hidden', slug: 'tersembunyi', name: 'Tersembunyi', description: null, unpublished: true },
};

interface ProductFixture {
  id: string;
  slug: string;
  name: string;
  category: keyof typeof CATEGORIES;
  price?: number;
  stock?: number;
  description?: string | null;
  image_ids?: string;
  unpublished?: boolean;
}

const BULK = Array.from({ length: 110 }, (_, i): ProductFixture => {
  const n = String(i + 1).padStart(3, '0');
  return { id: `shop-p-plester-${n}`, slug: `plester-${n}`, name: `Plester ${n}`, category: 'massal', price: 1000 + i };
});

const PRODUCTS: ProductFixture[] = [
  {
    id: 'shop-p-madu',
    slug: 'madu-hutan',
    name: 'Madu Hutan',
    category: 'vitamin',
    price: 85_000,
    stock: 12,
    description: 'Madu murni dari hutan Sumbawa.',
    image_ids: JSON.stringify(MADU_IMAGES),
  },
  { id: 'shop-p-vitc', slug: 'vitamin-c-1000', name: 'Vitamin C 1000', category: 'vitamin', price: 45_000, stock: 0 },
  // Only well-formed image ids become URLs.
  {
    id: 'shop-p-minyak',
    slug: 'minyak-ikan',
    name: 'Minyak Ikan',
    category: 'vitamin',
    image_ids: JSON.stringify([42, '../../etc/passwd', MINYAK_IMAGE, null]),
  },
  { id: 'shop-p-ditarik', slug: 'obat-ditarik', name: 'Obat Ditarik', category: 'vitamin', unpublished: true },
  // The same name twice: the id decides.
  { id: 'shop-p-masker-b', slug: 'masker-medis-b', name: 'Masker Medis', category: 'alat', image_ids: 'not json' },
  { id: 'shop-p-masker-a', slug: 'masker-medis-a', name: 'Masker Medis', category: 'alat' },
  { id: 'shop-p-termo', slug: 'termometer-digital', name: 'Termometer Digital', category: 'alat', price: 120_000 },
  { id: 'shop-p-kosong', slug: 'kosong-ditarik', name: 'Kosong Ditarik', category: 'kosong', unpublished: true },
  { id: 'shop-p-hidden', slug: 'produk-tersembunyi', name: 'Produk Tersembunyi', category: 'hidden' },
  ...BULK,
];

/** Every visible product's slug, in list order (name, then id). */
const VISIBLE = [
  'madu-hutan',
  'masker-medis-a',
  'masker-medis-b',
  'minyak-ikan',
  ...BULK.map((p) => p.slug),
  'termometer-digital',
  'vitamin-c-1000',
];

let seeded: Promise<void> | undefined;

/** The shop fixture, inserted once into this file's database. */
function seedShop(ta: TestApp): Promise<void> {
  seeded ??= (async () => {
    const now = systemClock();
    await ta.db
      .insertInto('product_categories')
      .values(
        Object.values(CATEGORIES).map((c) => ({
          id: c.id,
          slug: c.slug,
          name: c.name,
          description: c.description,
          unpublished_at: 'unpublished' in c ? now : null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await ta.db
      .insertInto('products')
      .values(
        PRODUCTS.map((p) => ({
          id: p.id,
          slug: p.slug,
          name: p.name,
          description: p.description ?? null,
          price: p.price ?? 10_000,
          stock: p.stock ?? 5,
          category_id: CATEGORIES[p.category].id,
          image_ids: p.image_ids ?? '[]',
          unpublished_at: p.unpublished ? now : null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  })();
  return seeded;
}

async function shopApp(t: Parameters<typeof build>[0], env: Record<string, string> = { PUBLIC_URL: ORIGIN }) {
  const ta = await build(t, { env });
  await seedShop(ta);
  return ta;
}

const get = (ta: TestApp, url: string, headers: Record<string, string> = {}) =>
  ta.app.inject({ method: 'GET', url, headers: { 'x-api-key': ta.apiKey, ...headers } });

function assertOk(res: LightMyRequestResponse) {
  assert.equal(res.statusCode, 200, res.body);
  const body = envelope(res);
  assert.equal(body.success, true);
  assert.equal(body.message, messages.ok.en);
  return body as ReturnType<typeof envelope> & { meta?: Record<string, number> };
}

function assertError(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = envelope(res);
  assert.equal(body.success, false);
  assert.equal(body.code, code);
  assert.equal(body.data, null);
  return body;
}

const meta = (current_page: number, per_page: number, total: number, last_page: number) => ({
  current_page,
  per_page,
  total,
  last_page,
});

const slugs = (data: { slug: string }[]) => data.map((p) => p.slug);

const MADU = {
  slug: 'madu-hutan',
  name: 'Madu Hutan',
  description: 'Madu murni dari hutan Sumbawa.',
  price: 85_000,
  stock: 12,
  images: MADU_IMAGES.map((id) => `${ORIGIN}/files/images/${id}.jpg`),
  category: { slug: 'vitamin', name: 'Vitamin dan Suplemen' },
};

test('the product list: published products of published categories, by name then id, 10 a page', async (t) => {
  const ta = await shopApp(t);
  const body = assertOk(await get(ta, '/api/ecommerce/product'));
  assert.deepEqual(body.meta, meta(1, 10, VISIBLE.length, Math.ceil(VISIBLE.length / 10)));
  assert.deepEqual(slugs(body.data), VISIBLE.slice(0, 10));
  // The whole resource, and nothing else (no ids, no image_ids, no publication columns).
  assert.deepEqual(body.data[0], MADU);
  assert.deepEqual(Object.keys(body), ['success', 'message', 'data', 'meta']);

  // Walking every page gives each visible product once, in order.
  const seen: string[] = [];
  for (let page = 1; page <= 5; page++) {
    const res = assertOk(await get(ta, `/api/ecommerce/product?data=25&page=${page}`));
    assert.deepEqual(res.meta, meta(page, 25, VISIBLE.length, 5));
    seen.push(...slugs(res.data));
  }
  assert.deepEqual(seen, VISIBLE);
  assert.ok(!seen.includes('obat-ditarik'), 'an unpublished product is not listed');
  assert.ok(!seen.includes('produk-tersembunyi'), 'a product of an unpublished category is not listed');
});

test('product fields: prices and stock as integers, images as absolute URLs, bad image ids skipped', async (t) => {
  const ta = await shopApp(t);
  const data = assertOk(await get(ta, '/api/ecommerce/product?data=4')).data;
  assert.deepEqual(data[1], {
    slug: 'masker-medis-a',
    name: 'Masker Medis',
    description: null,
    price: 10_000,
    stock: 5,
    images: [],
    category: { slug: 'alat-kesehatan', name: 'Alat Kesehatan' },
  });
  assert.deepEqual(data[2].images, [], 'image_ids that are not JSON give no images');
  assert.deepEqual(data[3].images, [`${ORIGIN}/files/images/${MINYAK_IMAGE}.jpg`]);
});

test('image URLs are on PUBLIC_URL whatever Host header the request names', async (t) => {
  const ta = await shopApp(t);
  for (const host of ['api.cexup.test', 'kiosk.example.id:8080', 'pay-cexup.evil.example']) {
    const data = assertOk(await get(ta, '/api/ecommerce/product/madu-hutan', { host })).data;
    assert.deepEqual(
      data.images,
      MADU_IMAGES.map((id) => `${ORIGIN}/files/images/${id}.jpg`),
    );
  }
});

test('the document’s own ?page=1?data=10, and other page sizes', async (t) => {
  const ta = await shopApp(t);
  const total = VISIBLE.length;

  const doc = assertOk(await get(ta, '/api/ecommerce/product?page=1?data=10'));
  assert.deepEqual(doc.meta, meta(1, 10, total, Math.ceil(total / 10)));
  assert.deepEqual(slugs(doc.data), VISIBLE.slice(0, 10));

  const second = assertOk(await get(ta, '/api/ecommerce/product?page=2?data=5'));
  assert.deepEqual(second.meta, meta(2, 5, total, Math.ceil(total / 5)));
  assert.deepEqual(slugs(second.data), VISIBLE.slice(5, 10));

  const categories = assertOk(await get(ta, '/api/ecommerce/category?page=1?data=10'));
  assert.deepEqual(categories.meta, meta(1, 10, 4, 1));

  const clamped = assertOk(await get(ta, '/api/ecommerce/product?data=500'));
  assert.deepEqual(clamped.meta, meta(1, 100, total, 2));
  assert.deepEqual(slugs(clamped.data), VISIBLE.slice(0, 100));

  const rest = assertOk(await get(ta, '/api/ecommerce/product?data=100&page=2'));
  assert.deepEqual(rest.meta, meta(2, 100, total, 2));
  assert.deepEqual(slugs(rest.data), VISIBLE.slice(100));

  const strings = assertOk(await get(ta, '/api/ecommerce/product?data=3&page=2'));
  assert.deepEqual(slugs(strings.data), VISIBLE.slice(3, 6));
});

test('a page past the end is empty, with the right meta', async (t) => {
  const ta = await shopApp(t);
  const total = VISIBLE.length;
  const last = Math.ceil(total / 10);
  for (const page of [last + 1, 900]) {
    const body = assertOk(await get(ta, `/api/ecommerce/product?page=${page}`));
    assert.deepEqual(body.data, []);
    assert.deepEqual(body.meta, meta(page, 10, total, last));
  }
  const lastPage = assertOk(await get(ta, `/api/ecommerce/product?page=${last}`));
  assert.deepEqual(slugs(lastPage.data), VISIBLE.slice((last - 1) * 10));

  const categories = assertOk(await get(ta, '/api/ecommerce/category?page=3&data=2'));
  assert.deepEqual(categories.data, []);
  assert.deepEqual(categories.meta, meta(3, 2, 4, 2));

  const ofCategory = assertOk(await get(ta, '/api/ecommerce/category/vitamin?page=2'));
  assert.deepEqual(ofCategory.data, []);
  assert.deepEqual(ofCategory.meta, meta(2, 10, 3, 1));
});

test('data or page below 1 or not a number → 422 with errors per field', async (t) => {
  const ta = await shopApp(t);
  const minimum = (field: string) => [fieldMessages.minimum.en.replace('{field}', field).replace('{limit}', '1')];
  const cases: [string, string[]][] = [
    ['data=0', ['data']],
    ['data=abc', ['data']],
    ['data=-5', ['data']],
    ['page=0', ['page']],
    ['page=abc', ['page']],
    ['page=0&data=0', ['data', 'page']],
  ];
  for (const path of ['/api/ecommerce/product', '/api/ecommerce/category', '/api/ecommerce/category/vitamin']) {
    for (const [query, fields] of cases) {
      const body = assertError(await get(ta, `${path}?${query}`), 422, 'VALIDATION_FAILED');
      assert.deepEqual(Object.keys(body.errors ?? {}).sort(), fields, `${path}?${query}`);
      for (const field of fields) assert.deepEqual(body.errors![field], minimum(field));
    }
  }
  const id = assertError(
    await get(ta, '/api/ecommerce/product?data=0', { 'accept-language': 'id' }),
    422,
    'VALIDATION_FAILED',
  );
  assert.equal(id.message, errorCatalogue.VALIDATION_FAILED.message.id);
});

test('data and page may come in a JSON body, as the document sends them', async (t) => {
  const ta = await shopApp(t);
  const withBody = (url: string, payload: string) =>
    ta.app.inject({
      method: 'GET',
      url,
      headers: { 'x-api-key': ta.apiKey, 'content-type': 'application/json' },
      payload,
    });

  const body = assertOk(await withBody('/api/ecommerce/product', JSON.stringify({ data: 5, page: 2 })));
  assert.deepEqual(body.meta, meta(2, 5, VISIBLE.length, Math.ceil(VISIBLE.length / 5)));
  assert.deepEqual(slugs(body.data), VISIBLE.slice(5, 10));

  const strings = assertOk(await withBody('/api/ecommerce/category', JSON.stringify({ data: '2', page: '2' })));
  assert.deepEqual(strings.meta, meta(2, 2, 4, 2));

  // The query string wins over the body.
  const both = assertOk(await withBody('/api/ecommerce/category/massal?data=3', JSON.stringify({ data: 50 })));
  assert.deepEqual(both.meta, meta(1, 3, BULK.length, Math.ceil(BULK.length / 3)));

  const invalid = assertError(
    await withBody('/api/ecommerce/product', JSON.stringify({ data: 0 })),
    422,
    'VALIDATION_FAILED',
  );
  assert.deepEqual(Object.keys(invalid.errors ?? {}), ['data']);

  assertError(await withBody('/api/ecommerce/product', '{"data": '), 400, 'MALFORMED_JSON');
  assertError(await withBody('/api/ecommerce/product', '{"__proto__": {"x": 1}}'), 400, 'MALFORMED_JSON');
  assertError(
    await withBody('/api/ecommerce/product', JSON.stringify({ data: 5, pad: 'x'.repeat(20_000) })),
    413,
    'PAYLOAD_TOO_LARGE',
  );
});

test('one product by slug; unpublished, of an unpublished category, or unknown → 404', async (t) => {
  const ta = await shopApp(t);
  const res = await get(ta, '/api/ecommerce/product/madu-hutan');
  const body = assertOk(res);
  assert.deepEqual(body.data, MADU);
  assert.deepEqual(Object.keys(body), ['success', 'message', 'data']);

  for (const slug of ['obat-ditarik', 'produk-tersembunyi', 'tidak-ada', 'kosong-ditarik']) {
    const missing = assertError(await get(ta, `/api/ecommerce/product/${slug}`), 404, 'PRODUCT_NOT_FOUND');
    assert.equal(missing.message, errorCatalogue.PRODUCT_NOT_FOUND.message.en, slug);
  }
  const id = assertError(
    await get(ta, '/api/ecommerce/product/tidak-ada', { 'accept-language': 'id' }),
    404,
    'PRODUCT_NOT_FOUND',
  );
  assert.equal(id.message, errorCatalogue.PRODUCT_NOT_FOUND.message.id);
});

test('the category list: published categories by name, with their visible product counts', async (t) => {
  const ta = await shopApp(t);
  const body = assertOk(await get(ta, '/api/ecommerce/category'));
  assert.deepEqual(body.meta, meta(1, 10, 4, 1));
  assert.deepEqual(body.data, [
    { slug: 'alat-kesehatan', name: 'Alat Kesehatan', description: null, product_count: 3 },
    { slug: 'kosong', name: 'Kosong', description: 'Belum ada produk', product_count: 0 },
    { slug: 'massal', name: 'Perlengkapan Massal', description: null, product_count: BULK.length },
    { slug: 'vitamin', name: 'Vitamin dan Suplemen', description: 'Daya tahan tubuh', product_count: 3 },
  ]);

  const paged = assertOk(await get(ta, '/api/ecommerce/category?data=2&page=2'));
  assert.deepEqual(paged.meta, meta(2, 2, 4, 2));
  assert.deepEqual(slugs(paged.data), ['massal', 'vitamin']);
});

test("a category's products, paginated; unknown or unpublished category → 404", async (t) => {
  const ta = await shopApp(t);
  const vitamin = assertOk(await get(ta, '/api/ecommerce/category/vitamin'));
  assert.deepEqual(vitamin.meta, meta(1, 10, 3, 1));
  assert.deepEqual(slugs(vitamin.data), ['madu-hutan', 'minyak-ikan', 'vitamin-c-1000']);
  assert.deepEqual(vitamin.data[0], MADU);

  const alat = assertOk(await get(ta, '/api/ecommerce/category/alat-kesehatan'));
  assert.deepEqual(slugs(alat.data), ['masker-medis-a', 'masker-medis-b', 'termometer-digital']);

  const massal = assertOk(await get(ta, '/api/ecommerce/category/massal?data=100&page=2'));
  assert.deepEqual(massal.meta, meta(2, 100, BULK.length, 2));
  assert.deepEqual(
    slugs(massal.data),
    BULK.slice(100).map((p) => p.slug),
  );
  const docUrl = assertOk(await get(ta, '/api/ecommerce/category/massal?page=1?data=10'));
  assert.deepEqual(docUrl.meta, meta(1, 10, BULK.length, 11));

  const empty = assertOk(await get(ta, '/api/ecommerce/category/kosong'));
  assert.deepEqual(empty.data, []);
  assert.deepEqual(empty.meta, meta(1, 10, 0, 1));

  for (const slug of ['tersembunyi', 'tidak-ada']) {
    const missing = assertError(await get(ta, `/api/ecommerce/category/${slug}`), 404, 'CATEGORY_NOT_FOUND');
    assert.equal(missing.message, errorCatalogue.CATEGORY_NOT_FOUND.message.en);
  }
});

test('GET answers carry an ETag; If-None-Match → 304 with an empty body', async (t) => {
  const ta = await shopApp(t);
  for (const url of [
    '/api/ecommerce/product?data=5',
    '/api/ecommerce/product/madu-hutan',
    '/api/ecommerce/category',
    '/api/ecommerce/category/vitamin',
  ]) {
    const first = await get(ta, url);
    assert.equal(first.statusCode, 200, url);
    const etag = first.headers.etag;
    assert.equal(typeof etag, 'string', url);
    assert.equal(first.headers.vary, 'x-api-key, Accept-Language');
    assert.match(String(first.headers['cache-control']), /public/);

    const again = await get(ta, url, { 'if-none-match': String(etag) });
    assert.equal(again.statusCode, 304, url);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);

    const weak = await get(ta, url, { 'if-none-match': `"other", W/${String(etag)}` });
    assert.equal(weak.statusCode, 304, url);

    const stale = await get(ta, url, { 'if-none-match': '"something-else"' });
    assert.equal(stale.statusCode, 200, url);
    assert.deepEqual(stale.json(), first.json());
  }
  // Another page is another answer.
  const page2 = await get(ta, '/api/ecommerce/product?data=5&page=2');
  const page1 = await get(ta, '/api/ecommerce/product?data=5');
  assert.notEqual(page2.headers.etag, page1.headers.etag);

  // Errors are not cached.
  const missing = await get(ta, '/api/ecommerce/product/tidak-ada');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers.etag, undefined);
  assert.equal(missing.headers['cache-control'], 'no-store');
});

test('without a valid x-api-key every shop route answers 401', async (t) => {
  const ta = await shopApp(t);
  for (const url of [
    '/api/ecommerce/product',
    '/api/ecommerce/product/madu-hutan',
    '/api/ecommerce/category',
    '/api/ecommerce/category/vitamin',
  ]) {
    const none = await ta.app.inject({ method: 'GET', url });
    const body = assertError(none, 401, 'API_KEY_INVALID');
    assert.equal(body.message, errorCatalogue.API_KEY_INVALID.message.en);
    assertError(
      await ta.app.inject({ method: 'GET', url, headers: { 'x-api-key': 'not-a-key' } }),
      401,
      'API_KEY_INVALID',
    );
  }
});

test('a change to the catalogue shows once its version is bumped', async (t) => {
  const ta = await shopApp(t);
  const termo = () =>
    ta.db.selectFrom('products').selectAll().where('id', '=', 'shop-p-termo').executeTakeFirstOrThrow();
  const before = await termo();
  t.after(async () => {
    await ta.db
      .updateTable('products')
      .set({ price: before.price, stock: before.stock, unpublished_at: null })
      .where('id', '=', 'shop-p-termo')
      .execute();
    await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  });
  // Warm the caches.
  assert.equal(assertOk(await get(ta, '/api/ecommerce/product/termometer-digital')).data.price, 120_000);

  await ta.db.updateTable('products').set({ price: 99_000, stock: 1 }).where('id', '=', 'shop-p-termo').execute();
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  const changed = assertOk(await get(ta, '/api/ecommerce/product/termometer-digital')).data;
  assert.equal(changed.price, 99_000);
  assert.equal(changed.stock, 1);
  assert.deepEqual(await termo(), { ...before, price: 99_000, stock: 1 });

  await ta.db.updateTable('products').set({ unpublished_at: systemClock() }).where('id', '=', 'shop-p-termo').execute();
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  assertError(await get(ta, '/api/ecommerce/product/termometer-digital'), 404, 'PRODUCT_NOT_FOUND');
  const list = assertOk(await get(ta, '/api/ecommerce/product?data=100&page=2'));
  assert.equal(list.meta!.total, VISIBLE.length - 1);
  assert.ok(!slugs(list.data).includes('termometer-digital'));
  const alat = assertOk(await get(ta, '/api/ecommerce/category'));
  assert.equal(alat.data.find((c: { slug: string }) => c.slug === 'alat-kesehatan').product_count, 2);
});

test('with a long cache, a change shows once the shop is told (as the back office does)', async (t) => {
  const ta = await shopApp(t, { PUBLIC_URL: ORIGIN, CACHE_TTL_MS: '60000' });
  const shop = (ta.app.services as unknown as { shop: { invalidate(): void } }).shop;
  const stock = async () => assertOk(await get(ta, '/api/ecommerce/product/vitamin-c-1000')).data.stock;
  assert.equal(await stock(), 0);
  t.after(async () => {
    await ta.db.updateTable('products').set({ stock: 0 }).where('id', '=', 'shop-p-vitc').execute();
    await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  });

  await ta.db.updateTable('products').set({ stock: 7 }).where('id', '=', 'shop-p-vitc').execute();
  await VersionedCache.bump(ta.db, CATALOGUE_VERSION);
  shop.invalidate();
  assert.equal(await stock(), 7);
  const listed = assertOk(await get(ta, '/api/ecommerce/category/vitamin')).data;
  assert.equal(listed.find((p: { slug: string }) => p.slug === 'vitamin-c-1000').stock, 7);
});

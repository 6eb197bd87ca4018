import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { paginate, type PageRequest } from '../../http/pagination.js';
import { MiB } from '../../sizes.js';
import { VersionedCache, type VersionFeed } from '../../lib/cache.js';
import { CATALOGUE_VERSION, imagePath, type Page } from '../catalogue/index.js';
import * as repo from './shop.repository.js';

export interface ProductResource {
  slug: string;
  name: string;
  description: string | null;
  /** Whole rupiah. */
  price: number;
  stock: number;
  /** Absolute image URLs, in display order. */
  images: string[];
  category: { slug: string; name: string };
}

export interface CategoryResource {
  slug: string;
  name: string;
  description: string | null;
  /** How many products of the category a patient sees. */
  product_count: number;
}

/** A product as cached: image paths without an origin, so one entry serves every host name. */
type StoredProduct = Omit<ProductResource, 'images'> & { imagePaths: readonly string[] };

/** The visible products, in list order, and the look-ups derived from them. */
interface ProductIndex {
  ids: string[];
  idBySlug: Map<string, string>;
  idsByCategory: Map<string, string[]>;
}

interface CategoryIndex {
  list: CategoryResource[];
  idBySlug: Map<string, string>;
}

/** Image ids as kept in `products.image_ids` (a JSON array); anything else in there is skipped. */
const IMAGE_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function imagePathsOf(imageIdsJson: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(imageIdsJson);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((id): id is string => typeof id === 'string' && IMAGE_ID.test(id)).map(imagePath);
}

const withOrigin = (baseUrl: string, { imagePaths, ...product }: StoredProduct): ProductResource => ({
  ...product,
  images: imagePaths.map((path) => baseUrl + path),
});

/**
 * The health shop as patients see it: published products of published categories. Cached per
 * catalogue version like the rest of the catalogue: the ordered ids once (with the slug and
 * category look-ups made from them), each product once, so page 900 costs what page 1 costs,
 * and no request counts rows.
 */
export class ShopService {
  private readonly cache: VersionedCache;
  /** Whole answers: fewer of them, so made-up pages or hosts stay cheap. */
  private readonly bodies: VersionedCache;

  constructor(
    private readonly db: Db,
    options: { cacheTtlMs: number; now?: () => number; versions?: VersionFeed },
  ) {
    // Bounds (docs/operations.md, Memory bounds): resources 32 MiB / 50,000 entries, whole answers 16 MiB / 2,000.
    const { cacheTtlMs, now, versions } = options;
    this.cache = new VersionedCache(db, CATALOGUE_VERSION, cacheTtlMs, 50_000, now, 32 * MiB, versions);
    this.bodies = new VersionedCache(db, CATALOGUE_VERSION, cacheTtlMs, 2_000, now, 16 * MiB, versions);
  }

  /** What this service's caches hold now: entries and bytes, resources and answers together. */
  cacheSize(): { entries: number; bytes: number } {
    const [a, b] = [this.cache.size, this.bodies.size];
    return { entries: a.entries + b.entries, bytes: a.bytes + b.bytes };
  }

  async listProducts(baseUrl: string, page: PageRequest): Promise<Page<ProductResource>> {
    const { ids } = await this.productIndex();
    const { data, meta } = paginate(ids, page);
    return { data: await this.products(baseUrl, data), meta };
  }

  async showProduct(baseUrl: string, slug: string): Promise<ProductResource> {
    const id = (await this.productIndex()).idBySlug.get(slug);
    const [product] = id === undefined ? [] : await this.products(baseUrl, [id]);
    if (product === undefined) throw new AppError('PRODUCT_NOT_FOUND');
    return product;
  }

  async listCategories(page: PageRequest): Promise<Page<CategoryResource>> {
    return paginate((await this.categoryIndex()).list, page);
  }

  async listCategoryProducts(baseUrl: string, slug: string, page: PageRequest): Promise<Page<ProductResource>> {
    const categoryId = (await this.categoryIndex()).idBySlug.get(slug);
    if (categoryId === undefined) throw new AppError('CATEGORY_NOT_FOUND');
    const ids = (await this.productIndex()).idsByCategory.get(categoryId) ?? [];
    const { data, meta } = paginate(ids, page);
    return { data: await this.products(baseUrl, data), meta };
  }

  /**
   * A whole serialised answer, cached under this catalogue version: a repeated request then
   * costs a map lookup, not a page build and a serialisation.
   */
  cachedBody(key: string, build: () => Promise<string>): Promise<string> {
    return this.bodies.get(key, build);
  }

  /** After a change made by this process: show it here at once, not after the next check. */
  invalidate(): void {
    this.cache.invalidate();
    this.bodies.invalidate();
  }

  private productIndex(): Promise<ProductIndex> {
    return this.cache.get('shop|product-index', async () => {
      const rows = await repo.listVisibleProducts(this.db);
      const index: ProductIndex = { ids: [], idBySlug: new Map(), idsByCategory: new Map() };
      for (const row of rows) {
        index.ids.push(row.id);
        index.idBySlug.set(row.slug, row.id);
        const ofCategory = index.idsByCategory.get(row.category_id);
        if (ofCategory === undefined) index.idsByCategory.set(row.category_id, [row.id]);
        else ofCategory.push(row.id);
      }
      return index;
    });
  }

  private categoryIndex(): Promise<CategoryIndex> {
    return this.cache.get('shop|category-index', async () => {
      const [rows, products] = await Promise.all([repo.listVisibleCategories(this.db), this.productIndex()]);
      return {
        list: rows.map((c) => ({
          slug: c.slug,
          name: c.name,
          description: c.description,
          product_count: products.idsByCategory.get(c.id)?.length ?? 0,
        })),
        idBySlug: new Map(rows.map((c) => [c.slug, c.id])),
      };
    });
  }

  private async products(baseUrl: string, ids: readonly string[]): Promise<ProductResource[]> {
    const prefix = 'shop|product|';
    const found = await this.cache.getMany<StoredProduct>(
      ids.map((id) => prefix + id),
      async (missing) => {
        const rows = await repo.productsByIds(
          this.db,
          missing.map((k) => k.slice(prefix.length)),
        );
        return new Map(
          rows.map((r) => [
            prefix + r.id,
            {
              slug: r.slug,
              name: r.name,
              description: r.description,
              price: r.price,
              stock: r.stock,
              imagePaths: imagePathsOf(r.image_ids),
              category: { slug: r.category_slug, name: r.category_name },
            },
          ]),
        );
      },
    );
    return ids
      .map((id) => found.get(prefix + id))
      .filter((p): p is StoredProduct => p !== undefined)
      .map((p) => withOrigin(baseUrl, p));
  }
}

import type { Db } from '../../db/index.js';

/**
 * Every product a patient may see, in list order (name, then id): published, in a published
 * category. Only what the list and slug look-ups need; the resources are read by id.
 */
export const listVisibleProducts = (db: Db) =>
  db
    .selectFrom('products')
    .innerJoin('product_categories', 'product_categories.id', 'products.category_id')
    .select(['products.id', 'products.slug', 'products.category_id'])
    .where('products.unpublished_at', 'is', null)
    .where('product_categories.unpublished_at', 'is', null)
    .orderBy('products.name')
    .orderBy('products.id')
    .execute();

/** Products with their categories, by id (in no particular order). */
export const productsByIds = (db: Db, ids: readonly string[]) =>
  db
    .selectFrom('products')
    .innerJoin('product_categories', 'product_categories.id', 'products.category_id')
    .select([
      'products.id',
      'products.slug',
      'products.name',
      'products.description',
      'products.price',
      'products.stock',
      'products.image_ids',
      'product_categories.slug as category_slug',
      'product_categories.name as category_name',
    ])
    .where('products.id', 'in', ids.length ? [...ids] : [''])
    .execute();

/** Published categories in list order (name, then id). */
export const listVisibleCategories = (db: Db) =>
  db
    .selectFrom('product_categories')
    .select(['id', 'slug', 'name', 'description'])
    .where('unpublished_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();

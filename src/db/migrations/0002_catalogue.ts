import { sql, type Kysely } from 'kysely';
import { columnTypes } from '../column-types.js';

/**
 * The catalogue (specialities, hospitals, doctors and their practices, articles, the shop),
 * the admin audit log, and the version counters that let every API process drop cached
 * catalogue answers within a second of a change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('specialities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('unpublished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('specialities_name_idx').on('specialities').columns(['name', 'id']).execute();

  await db.schema
    .createTable('hospitals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('province', 'text')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('description', 'text')
    .addColumn('image_id', 'text')
    .addColumn('unpublished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hospitals_name_idx').on('hospitals').columns(['name', 'id']).execute();

  await db.schema
    .createTable('doctors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    // Lower-cased name: one case-insensitive search that behaves alike on both databases.
    .addColumn('name_search', 'text', (c) => c.notNull())
    .addColumn('speciality_id', 'text', (c) => c.notNull().references('specialities.id'))
    .addColumn('about', 'text')
    .addColumn('experience_years', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('image_id', 'text')
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('unpublished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('doctors_name_idx').on('doctors').columns(['name', 'id']).execute();
  // Bookings name a doctor by username in any case: one doctor per username, case aside.
  await db.schema
    .createIndex('doctors_username_lower_unique')
    .on('doctors')
    .expression(sql`lower(username)`)
    .unique()
    .execute();
  await db.schema
    .createIndex('doctors_speciality_idx')
    .on('doctors')
    .columns(['speciality_id', 'name', 'id'])
    .execute();

  await db.schema
    .createTable('practices')
    // An integer id (apps send doctor_has_hospital_id as a number) that is never reused.
    .addColumn('id', t.isPostgres ? 'serial' : 'integer', (c) =>
      t.isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('doctor_id', 'text', (c) => c.notNull().references('doctors.id').onDelete('cascade'))
    .addColumn('hospital_id', 'text', (c) => c.notNull().references('hospitals.id').onDelete('cascade'))
    // Whole rupiah; null: this practice does not offer that appointment type.
    .addColumn('call_price', 'integer')
    .addColumn('reservasi_price', 'integer')
    .addColumn('unpublished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('practices_doctor_hospital_unique', ['doctor_id', 'hospital_id'])
    .execute();
  await db.schema.createIndex('practices_hospital_idx').on('practices').columns(['hospital_id', 'doctor_id']).execute();

  await db.schema
    .createTable('articles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text')
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('image_id', 'text')
    // Null: a draft or unpublished article.
    .addColumn('published_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('articles_published_idx').on('articles').columns(['published_at', 'id']).execute();

  await db.schema
    .createTable('product_categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('unpublished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_categories_name_idx').on('product_categories').columns(['name', 'id']).execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('price', 'integer', (c) => c.notNull())
    .addColumn('stock', 'integer', (c) => c.notNull())
    .addColumn('category_id', 'text', (c) => c.notNull().references('product_categories.id'))
    // JSON array of image ids, in display order.
    .addColumn('image_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('unpublished_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('products_name_idx').on('products').columns(['name', 'id']).execute();
  await db.schema.createIndex('products_category_idx').on('products').columns(['category_id', 'name', 'id']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('actor_user_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['entity', 'entity_id']).execute();

  await db.schema
    .createTable('cache_versions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'cache_versions',
    'audit_log',
    'products',
    'product_categories',
    'articles',
    'practices',
    'doctors',
    'hospitals',
    'specialities',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}

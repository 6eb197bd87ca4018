import type { Updateable } from 'kysely';
import type { Db } from '../../db/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import { AppError, type ErrorCode } from '../../http/errors.js';
import type { PageMeta, PageRequest } from '../../http/pagination.js';
import { newId } from '../../security/tokens.js';
import { processAvatar } from '../accounts/index.js';
import { lockUsernames, usernameTaken } from '../accounts/index.js';
import {
  articleHtmlIsEmpty,
  catalogueColumns,
  imagePath,
  insertRows,
  newCatalogueRow,
  updateCatalogueRow,
  type CatalogueFields,
  type CatalogueTable,
} from '../catalogue/index.js';
import * as repo from './admin.repository.js';
import type { Row, SlugTable } from './admin.repository.js';
import type { AuditEntity } from './admin-audit.js';
import type { AdminChanges } from './admin-changes.js';
import { fail, isForeignKeyViolation, iso, limits, pageMeta, productImageIds } from './admin-helpers.js';
import { practiceResource } from './admin-practices.js';

/** The entities named by a slug, as the routes name them. */
export type SlugKind = 'specialities' | 'hospitals' | 'doctors' | 'articles' | 'product-categories' | 'products';
export type ImageKind = 'doctors' | 'hospitals' | 'articles' | 'products';

interface KindDef {
  table: SlugTable;
  entity: AuditEntity;
  notFound: ErrorCode;
  inUse: ErrorCode;
  nameColumn: 'name' | 'title';
}

export const KINDS: Record<SlugKind, KindDef> = {
  specialities: {
    table: 'specialities',
    entity: 'speciality',
    notFound: 'SPECIALITY_NOT_FOUND',
    inUse: 'SPECIALITY_IN_USE',
    nameColumn: 'name',
  },
  hospitals: {
    table: 'hospitals',
    entity: 'hospital',
    notFound: 'HOSPITAL_NOT_FOUND',
    inUse: 'HOSPITAL_IN_USE',
    nameColumn: 'name',
  },
  doctors: {
    table: 'doctors',
    entity: 'doctor',
    notFound: 'DOCTOR_NOT_FOUND',
    inUse: 'DOCTOR_IN_USE',
    nameColumn: 'name',
  },
  articles: {
    table: 'articles',
    entity: 'article',
    notFound: 'ARTICLE_NOT_FOUND',
    inUse: 'STILL_REFERENCED',
    nameColumn: 'title',
  },
  'product-categories': {
    table: 'product_categories',
    entity: 'product_category',
    notFound: 'CATEGORY_NOT_FOUND',
    inUse: 'CATEGORY_IN_USE',
    nameColumn: 'name',
  },
  products: {
    table: 'products',
    entity: 'product',
    notFound: 'PRODUCT_NOT_FOUND',
    inUse: 'STILL_REFERENCED',
    nameColumn: 'name',
  },
};

/** At most this many pictures a product. */
export const MAX_PRODUCT_IMAGES = 10;

// Inputs, as the route schemas have checked them: the writer's fields, with references by slug
// (resolved to ids in fields()) and an article's publication.
type SpecialityInput = CatalogueFields['specialities'];
type HospitalInput = CatalogueFields['hospitals'];
type DoctorInput = Omit<CatalogueFields['doctors'], 'speciality_id'> & { speciality?: string };
type ArticleInput = CatalogueFields['articles'] & { publish?: boolean };
type ProductInput = Omit<CatalogueFields['products'], 'category_id'> & { category?: string };
export interface KindInputs {
  specialities: SpecialityInput;
  hospitals: HospitalInput;
  doctors: DoctorInput;
  articles: ArticleInput;
  'product-categories': SpecialityInput;
  products: ProductInput;
}

export interface ListFilter {
  /** A hospital admin's hospitals (ids): only rows of those. */
  hospitalIds?: readonly string[];
  q?: string;
  status?: 'published' | 'unpublished';
  speciality?: string;
  hospital?: string;
  doctor?: string;
  category?: string;
}

/** Whether a row is shown to patients (as far as its own columns go). */
function isPublished(table: SlugTable | 'practices', row: object): boolean {
  const r = row as { published_at?: number | null; unpublished_at?: number | null };
  return table === 'articles' ? r.published_at !== null : r.unpublished_at === null;
}

/** The pictures a row owns. */
function imageIdsOf(row: object): string[] {
  const r = row as { image_id?: string | null; image_ids?: string };
  if (typeof r.image_ids === 'string') return productImageIds(r.image_ids);
  return r.image_id ? [r.image_id] : [];
}

/**
 * The catalogue's rows named by a slug (specialities, hospitals, doctors, articles, product
 * categories, products), as the back office creates, changes, publishes, unpublishes and deletes
 * them; every change runs through AdminChanges (audit row, version bump, onChange).
 */
export class AdminCatalogue {
  constructor(private readonly changes: AdminChanges) {}

  // What an admin sent as the fields of a row: references resolved and checked here; what is
  // stored for them is the catalogue's writer's to decide (catalogue-writer.ts), as for the
  // import and the seed.

  private async idOfSlug(trx: Db, table: SlugTable, field: string, slug: string): Promise<string> {
    const row = await repo.findBySlug(trx, table, slug);
    if (row === undefined) throw fail(field, 'unknownReference');
    return row.id;
  }

  /** The columns an input sets, checked; `existing` is the row being updated, if any. */
  private async columns(trx: Db, kind: SlugKind, input: KindInputs[SlugKind], existing?: object): Promise<object> {
    const table = KINDS[kind].table;
    const fields = await this.fields(trx, kind, input, existing);
    const columns = catalogueColumns(table, fields) as Record<string, unknown>;
    // Markup that was all scripts and styles leaves nothing to show.
    if (typeof columns.body_html === 'string' && articleHtmlIsEmpty(columns.body_html)) throw fail('body', 'required');
    return columns;
  }

  private async fields(
    trx: Db,
    kind: SlugKind,
    input: KindInputs[SlugKind],
    existing: object | undefined,
  ): Promise<CatalogueFields[CatalogueTable]> {
    switch (kind) {
      // The writer takes each table's own fields and leaves the rest (an article's `publish`).
      case 'specialities':
      case 'product-categories':
      case 'hospitals':
      case 'articles':
        return input as CatalogueFields['hospitals'];
      case 'doctors': {
        const { speciality, ...d } = input as DoctorInput;
        const username = d.username ?? (existing === undefined ? d.slug : undefined);
        if (username !== undefined) {
          const own = existing as { id?: string; user_id?: string | null } | undefined;
          // One namespace with every account: a patient's or an admin's username is refused;
          // the doctor's own login shares the doctor's.
          await lockUsernames(trx);
          if (await usernameTaken(trx, username, { doctorId: own?.id, userId: own?.user_id })) {
            throw fail('username', 'usernameTaken');
          }
        }
        return {
          ...d,
          username,
          experience_years: d.experience_years ?? (existing === undefined ? 0 : undefined),
          speciality_id:
            speciality === undefined ? undefined : await this.idOfSlug(trx, 'specialities', 'speciality', speciality),
        };
      }
      case 'products': {
        const { category, ...p } = input as ProductInput;
        return {
          ...p,
          category_id:
            category === undefined ? undefined : await this.idOfSlug(trx, 'product_categories', 'category', category),
        };
      }
    }
  }

  // Writes.

  /** Unique and foreign-key failures of a write, as the 422s they stand for. */
  private writeError(err: unknown, kind: SlugKind): unknown {
    if (isUniqueViolation(err, 'slug')) return fail('slug', 'slugTaken');
    if (kind === 'doctors' && isUniqueViolation(err, 'username')) return fail('username', 'usernameTaken');
    // The referenced row went away between the check and the write.
    if (isForeignKeyViolation(err) && kind === 'doctors') return fail('speciality', 'unknownReference');
    if (isForeignKeyViolation(err) && kind === 'products') return fail('category', 'unknownReference');
    return err;
  }

  private async assertSlugFree(trx: Db, def: KindDef, slug: string | undefined, exceptId?: string): Promise<void> {
    if (slug === undefined) return;
    const found = await repo.findBySlug(trx, def.table, slug);
    if (found !== undefined && found.id !== exceptId) throw fail('slug', 'slugTaken');
  }

  async create<K extends SlugKind>(kind: K, actorId: string, input: KindInputs[K]): Promise<object> {
    const def = KINDS[kind];
    return this.changes.change(actorId, async (trx) => {
      await this.assertSlugFree(trx, def, input.slug);
      const now = this.changes.now();
      const publish = (input as ArticleInput).publish;
      const id = newId();
      const row = newCatalogueRow(def.table, id, (await this.fields(trx, kind, input, undefined)) as never, {
        now,
        // A new article is a draft unless asked; every other row is shown at once.
        published: kind === 'articles' ? publish === true : true,
      });
      const body = (row as { body_html?: unknown }).body_html;
      if (typeof body === 'string' && articleHtmlIsEmpty(body)) throw fail('body', 'required');
      try {
        await insertRows(trx, def.table, [row]);
      } catch (err) {
        throw this.writeError(err, kind);
      }
      const after = await repo.findBySlug(trx, def.table, input.slug!);
      return {
        changes: [{ action: 'create', entity: def.entity, entityId: id, before: null, after: after! }],
        result: after!,
      };
    });
  }

  async update<K extends SlugKind>(kind: K, actorId: string, slug: string, input: KindInputs[K]): Promise<object> {
    const def = KINDS[kind];
    return this.changes.change(actorId, async (trx) => {
      // A doctor's username may change: the usernames' lock first, as every other writer of a
      // username takes it, so this and a doctor-login creation cannot deadlock on PostgreSQL.
      if (kind === 'doctors') await lockUsernames(trx);
      const before = await this.changes.rowOf(trx, def, slug);
      await this.assertSlugFree(trx, def, input.slug, before.id);
      const columns = await this.columns(trx, kind, input, before);
      const changed = Object.entries(columns).some(([k, v]) => (before as Record<string, unknown>)[k] !== v);
      if (!changed) return { changes: [], result: before };
      let after: object | undefined;
      try {
        after = await updateCatalogueRow(
          trx,
          def.table,
          before.id,
          columns as Updateable<Database[SlugTable]>,
          this.changes.now(),
        );
      } catch (err) {
        throw this.writeError(err, kind);
      }
      const newSlug = (columns as { slug?: string }).slug;
      if (kind === 'hospitals' && newSlug !== undefined && newSlug !== before.slug) {
        await repo.renameHospitalInScopes(trx, before.slug, newSlug);
      }
      return {
        changes: [{ action: 'update', entity: def.entity, entityId: before.id, before, after: after! }],
        result: after!,
      };
    });
  }

  /** Publish (true) or unpublish (false); asking for the state a row is already in changes nothing. */
  async setPublished(kind: SlugKind, actorId: string, slug: string, publish: boolean): Promise<object> {
    const def = KINDS[kind];
    return this.changes.change(actorId, async (trx) => {
      const before = await this.changes.rowOf(trx, def, slug);
      if (isPublished(def.table, before) === publish) return { changes: [], result: before };
      const now = this.changes.now();
      const patch: Record<string, number | null> =
        kind === 'articles'
          ? { published_at: publish ? now : null, updated_at: now }
          : { unpublished_at: publish ? null : now, updated_at: now };
      const after = await updateCatalogueRow(trx, def.table, before.id, patch as Updateable<Database[SlugTable]>, now);
      return {
        changes: [
          { action: publish ? 'publish' : 'unpublish', entity: def.entity, entityId: before.id, before, after: after! },
        ],
        result: after!,
      };
    });
  }

  /** Deletes a row nothing refers to any more (409 otherwise: unpublish it instead), and its pictures. */
  async remove(kind: SlugKind, actorId: string, slug: string): Promise<void> {
    const def = KINDS[kind];
    await this.changes.change(actorId, async (trx) => {
      const before = await this.changes.rowOf(trx, def, slug);
      const referenced =
        kind === 'specialities'
          ? await repo.hasDoctorsOfSpeciality(trx, before.id)
          : kind === 'hospitals'
            ? await repo.hasPracticesWhere(trx, 'hospital_id', before.id)
            : kind === 'doctors'
              ? await repo.hasPracticesWhere(trx, 'doctor_id', before.id)
              : kind === 'product-categories'
                ? await repo.hasProductsOfCategory(trx, before.id)
                : false;
      if (referenced) throw new AppError(def.inUse);
      // A deleted hospital is no one's to run: its hospital admins lose it with it.
      if (kind === 'hospitals') await trx.deleteFrom('admin_hospitals').where('hospital_id', '=', before.id).execute();
      try {
        await repo.deleteRow(trx, def.table, before.id);
      } catch (err) {
        // Rows of other modules (orders, say) that still point here.
        if (isForeignKeyViolation(err)) throw new AppError(def.inUse);
        throw err;
      }
      await repo.deleteUnusedImages(trx, imageIdsOf(before));
      return {
        changes: [{ action: 'delete', entity: def.entity, entityId: before.id, before, after: null }],
        result: null,
      };
    });
  }

  /**
   * A picture for a doctor, hospital or article (replacing the one before) or one more for a
   * product. Checked and re-encoded like an avatar, before the transaction starts.
   */
  async uploadImage(kind: ImageKind, actorId: string, slug: string, file: string, type: string | undefined) {
    const image = await processAvatar(file, type);
    const def = KINDS[kind];
    return this.changes.change(actorId, async (trx) => {
      const before = await this.changes.rowOf(trx, def, slug);
      const imageId = newId();
      const now = this.changes.now();
      await repo.insertImage(trx, {
        id: imageId,
        owner_user_id: null,
        content_type: image.contentType,
        bytes: image.bytes,
        width: image.width,
        height: image.height,
        created_at: now,
      });
      let patch: Record<string, unknown>;
      let replaced: string[] = [];
      if (kind === 'products') {
        const ids = productImageIds((before as Row<'products'>).image_ids);
        if (ids.length >= MAX_PRODUCT_IMAGES) throw fail('file', 'tooManyImages', { limit: MAX_PRODUCT_IMAGES });
        patch = { image_ids: JSON.stringify([...ids, imageId]) };
      } else {
        const old = (before as unknown as { image_id: string | null }).image_id;
        replaced = old === null ? [] : [old];
        patch = { image_id: imageId };
      }
      const after = await updateCatalogueRow(trx, def.table, before.id, patch as Updateable<Database[SlugTable]>, now);
      await repo.deleteUnusedImages(trx, replaced);
      return {
        changes: [{ action: 'image', entity: def.entity, entityId: before.id, before, after: after! }],
        result: after!,
      };
    });
  }

  /** Takes one picture off a product (and deletes it). */
  async removeProductImage(actorId: string, slug: string, imageId: string): Promise<object> {
    const def = KINDS.products;
    return this.changes.change(actorId, async (trx) => {
      const before = (await this.changes.rowOf(trx, def, slug)) as Row<'products'>;
      const ids = productImageIds(before.image_ids);
      if (!ids.includes(imageId)) throw new AppError('NOT_FOUND');
      const after = await updateCatalogueRow(
        trx,
        'products',
        before.id,
        { image_ids: JSON.stringify(ids.filter((id) => id !== imageId)) },
        this.changes.now(),
      );
      await repo.deleteUnusedImages(trx, [imageId]);
      return {
        changes: [{ action: 'image', entity: def.entity, entityId: before.id, before, after: after! }],
        result: after!,
      };
    });
  }

  // Reads.

  async findRow(kind: SlugKind, slug: string): Promise<object> {
    const def = KINDS[kind];
    const row = await repo.findBySlug(this.changes.db, def.table, slug);
    if (row === undefined) throw new AppError(def.notFound);
    return row;
  }

  async list(kind: SlugKind, filter: ListFilter, page: PageRequest): Promise<{ rows: object[]; meta: PageMeta }> {
    const def = KINDS[kind];
    const equals: Record<string, string> = {};
    const reference = async (table: SlugTable, slug: string | undefined, column: string): Promise<boolean> => {
      if (slug === undefined || slug === '') return true;
      const row = await repo.findBySlug(this.changes.db, table, slug);
      if (row === undefined) return false;
      equals[column] = row.id;
      return true;
    };
    const known =
      kind === 'doctors'
        ? await reference('specialities', filter.speciality, 'speciality_id')
        : kind === 'products'
          ? await reference('product_categories', filter.category, 'category_id')
          : true;
    // A filter naming nothing that exists matches nothing.
    if (!known) return { rows: [], meta: pageMeta(page, 0) };
    const q = filter.q?.trim();
    const { rows, total } = await repo.listRows(this.changes.db, def.table, {
      nameColumn: def.nameColumn,
      ...(q ? { q } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      equals,
      ...(filter.hospitalIds !== undefined && (kind === 'hospitals' || kind === 'doctors')
        ? {
            atHospitals: {
              ids: filter.hospitalIds,
              via: kind === 'hospitals' ? ('id' as const) : ('practices' as const),
            },
          }
        : {}),
      ...limits(page),
    });
    return { rows, meta: pageMeta(page, total) };
  }

  /** Rows as the back office shows them: references by slug, picture URLs, ISO timestamps. */
  async resources(kind: SlugKind, rows: readonly object[], baseUrl: string): Promise<object[]> {
    const thumb = (imageId: string | null) => (imageId === null ? null : baseUrl + imagePath(imageId));
    const stamps = (r: { unpublished_at: number | null; created_at: number; updated_at: number }) => ({
      unpublished_at: iso(r.unpublished_at),
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
    });
    switch (kind) {
      case 'specialities':
      case 'product-categories':
        return (rows as Row<'specialities'>[]).map((r) => ({
          id: r.id,
          slug: r.slug,
          name: r.name,
          description: r.description,
          ...stamps(r),
        }));
      case 'hospitals':
        return (rows as Row<'hospitals'>[]).map((r) => ({
          id: r.id,
          slug: r.slug,
          name: r.name,
          address: r.address,
          city: r.city,
          province: r.province,
          timezone: r.timezone,
          phone: r.phone,
          description: r.description,
          doctor_leave_allowed: Number(r.doctor_leave_allowed) === 1,
          image_id: r.image_id,
          thumb: thumb(r.image_id),
          ...stamps(r),
        }));
      case 'doctors': {
        const doctors = rows as Row<'doctors'>[];
        const ids = doctors.map((d) => d.id);
        const [specialities, practices] = await Promise.all([
          repo.slugsByIds(
            this.changes.db,
            'specialities',
            doctors.map((d) => d.speciality_id),
          ),
          repo.practicesOfDoctors(this.changes.db, ids),
        ]);
        return doctors.map((r) => ({
          id: r.id,
          slug: r.slug,
          username: r.username,
          name: r.name,
          speciality: specialities.get(r.speciality_id) ?? '',
          about: r.about,
          experience_years: r.experience_years,
          image_id: r.image_id,
          thumb: thumb(r.image_id),
          practices: practices.filter((p) => p.doctor_id === r.id).map(practiceResource),
          ...stamps(r),
        }));
      }
      case 'articles':
        return (rows as Row<'articles'>[]).map((r) => ({
          id: r.id,
          slug: r.slug,
          title: r.title,
          excerpt: r.excerpt,
          body: r.body_html,
          author: r.author,
          image_id: r.image_id,
          thumb: thumb(r.image_id),
          published_at: iso(r.published_at),
          created_at: iso(r.created_at)!,
          updated_at: iso(r.updated_at)!,
        }));
      case 'products': {
        const products = rows as Row<'products'>[];
        const categories = await repo.slugsByIds(
          this.changes.db,
          'product_categories',
          products.map((p) => p.category_id),
        );
        return products.map((r) => {
          const images = productImageIds(r.image_ids).map((id) => ({ id, url: baseUrl + imagePath(id) }));
          return {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            price: r.price,
            stock: r.stock,
            category: categories.get(r.category_id) ?? '',
            images,
            thumb: images[0]?.url ?? null,
            ...stamps(r),
          };
        });
      }
    }
  }
}

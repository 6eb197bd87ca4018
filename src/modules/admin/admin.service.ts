import { randomBytes } from 'node:crypto';
import { PostgresAdapter, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../../db/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/schema.js';
import { AppError, type ErrorCode, type FieldProblems } from '../../http/errors.js';
import type { FieldMessageKey } from '../../http/i18n.js';
import { pageMeta, type PageMeta, type PageRequest } from '../../http/pagination.js';
import { hashPassword } from '../../security/passwords.js';
import { newId } from '../../security/tokens.js';
import { emailExists, insertUser, newUserRow } from '../accounts/index.js';
import { normalizeLogin } from '../accounts/index.js';
import { processAvatar } from '../accounts/index.js';
import { lockUsernames, usernameTaken } from '../accounts/index.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION, imagePath, sanitizeArticleHtml } from '../catalogue/index.js';
import * as repo from './admin.repository.js';
import type { Row, SlugTable } from './admin.repository.js';
import type { AUDIT_ACTIONS, AUDIT_ENTITIES } from './admin.schemas.js';
import { systemClock } from '../../clock.js';
import { ADMIN_PASSWORD_MIN_LENGTH } from '../accounts/index.js';

// ---------------------------------------------------------------------------------------------
// Admin accounts

/** A bad `admins create` input, with a message meant for the operator. */
export class AdminInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminInputError';
  }
}

/** Letters of the email's local part, then its trailing digits: `siti.rahayu99@x` → `sitirahayu99`. */
function usernameBase(email: string): string {
  const local = (email.split('@')[0] ?? '')
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9]/g, '')
    .toLowerCase();
  const letters = local.replace(/[0-9]/g, '').slice(0, 40) || 'admin';
  const digits = /[0-9]+$/.exec(local)?.[0].slice(0, 6) ?? '';
  return letters + digits;
}

/**
 * Creates a back-office admin: a `users` row with role `admin`, an argon2id password hash, a
 * username made from the email (letters, then digits where needed to be unique) and an empty
 * address. A taken email (of any account) or a weak input is an AdminInputError.
 */
export async function createAdmin(
  db: Db,
  input: {
    name: string;
    email: string;
    password: string;
    /** operator (default): everything; hospital_admin: only `hospitalIds`. */
    role?: 'operator' | 'hospital_admin';
    hospitalIds?: readonly string[];
  },
  now: () => number = systemClock,
): Promise<{ id: string; username: string }> {
  const name = input.name.trim();
  const email = input.email.trim();
  if (name === '' || name.length > 100) throw new AdminInputError('the name must be 1 to 100 characters');
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new AdminInputError(`"${email}" is not a valid email address`);
  }
  if (input.password.length < ADMIN_PASSWORD_MIN_LENGTH) {
    throw new AdminInputError(`the password must be at least ${ADMIN_PASSWORD_MIN_LENGTH} characters`);
  }
  if (input.password.length > 128) throw new AdminInputError('the password may be at most 128 characters');
  const emailTaken = () => new AdminInputError(`an account with the email ${email} already exists`);
  if (await emailExists(db, normalizeLogin(email))) throw emailTaken();

  const passwordHash = await hashPassword(input.password);
  const base = usernameBase(email);
  let suffix = 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    let username = suffix === 1 ? base : `${base}${suffix}`;
    // One namespace with patients and the catalogue's doctors.
    while (await usernameTaken(db, username)) {
      suffix += 1;
      username = `${base}${suffix}`;
      if (suffix > 10_000) username = `${base}${randomBytes(4).readUInt32BE() % 1_000_000_000}`;
    }
    const at = now();
    const row = newUserRow(
      {
        id: newId(),
        role: 'admin',
        name,
        username,
        email,
        password_hash: passwordHash,
        address: '',
        admin_role: input.role ?? 'operator',
      },
      at,
    );
    try {
      const inserted = await db.transaction().execute(async (trx) => {
        await lockUsernames(trx);
        if (await usernameTaken(trx, username)) return false;
        await insertUser(trx, row);
        const hospitals = input.role === 'hospital_admin' ? [...new Set(input.hospitalIds ?? [])] : [];
        if (hospitals.length > 0) {
          await trx
            .insertInto('admin_hospitals')
            .values(hospitals.map((hospital_id) => ({ user_id: row.id, hospital_id })))
            .execute();
        }
        return true;
      });
      if (inserted) return { id: row.id, username };
      suffix += 1;
    } catch (err) {
      if (isUniqueViolation(err, 'email_normalized')) throw emailTaken();
      // Someone took the username meanwhile: try the next one.
      if (!isUniqueViolation(err, 'username_normalized')) throw err;
      suffix += 1;
    }
  }
  throw new AdminInputError('could not find a free username; try again');
}

// ---------------------------------------------------------------------------------------------
// The catalogue as the back office changes it

export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

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

// Inputs, as the route schemas have checked them.
interface SpecialityInput {
  slug?: string;
  name?: string;
  description?: string | null;
}
interface HospitalInput {
  slug?: string;
  name?: string;
  address?: string | null;
  city?: string;
  province?: string | null;
  timezone?: string;
  phone?: string | null;
  description?: string | null;
  doctor_leave_allowed?: boolean;
}
interface DoctorInput {
  slug?: string;
  username?: string;
  name?: string;
  speciality?: string;
  about?: string | null;
  experience_years?: number;
}
interface ArticleInput {
  slug?: string;
  title?: string;
  excerpt?: string | null;
  body?: string;
  author?: string | null;
  publish?: boolean;
}
interface ProductInput {
  slug?: string;
  name?: string;
  description?: string | null;
  price?: number;
  stock?: number;
  category?: string;
}
export interface KindInputs {
  specialities: SpecialityInput;
  hospitals: HospitalInput;
  doctors: DoctorInput;
  articles: ArticleInput;
  'product-categories': SpecialityInput;
  products: ProductInput;
}
export interface PracticeInput {
  doctor?: string;
  hospital?: string;
  call_price?: number | null;
  reservasi_price?: number | null;
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

export interface Change {
  action: AuditAction;
  entity: AuditEntity;
  entityId: string;
  before: object | null;
  after: object | null;
}

/** Timestamps as the API writes them. */
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Text as stored: trimmed; blank optional text is null. */
const text = (v: string): string => v.trim();
const optionalText = (v: string | null): string | null => (v === null || v.trim() === '' ? null : v.trim());

/** A product's image ids, as kept in `image_ids` (a JSON array); anything else in there is skipped. */
export function productImageIds(raw: string): string[] {
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** What the audit log keeps of a row: its columns, with a product's image list readable. */
function snapshot(row: object | null): string | null {
  if (row === null) return null;
  const copy: Record<string, unknown> = { ...row };
  if (typeof copy.image_ids === 'string') copy.image_ids = productImageIds(copy.image_ids);
  return JSON.stringify(copy);
}

let lastIdMs = 0;
let idSequence = 0;
/**
 * UUIDv7-shaped ids for audit rows: time first and, within one process, increasing, so entries
 * of one millisecond still list in the order they were made.
 */
function timeOrderedId(at: number): string {
  let ms = at;
  if (ms <= lastIdMs) {
    ms = lastIdMs;
    idSequence += 1;
    if (idSequence > 0xfff) {
      ms += 1;
      idSequence = 0;
    }
  } else idSequence = 0;
  lastIdMs = ms;
  const hex = ms.toString(16).padStart(12, '0');
  const rand = randomBytes(8);
  rand[0] = (rand[0]! & 0x3f) | 0x80;
  const r = rand.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${idSequence.toString(16).padStart(3, '0')}-${r.slice(0, 4)}-${r.slice(4, 16)}`;
}

/** Writes the audit rows of one change, in the change's own transaction. */
export async function writeAudit(trx: Db, actorId: string, changes: readonly Change[], at: number): Promise<void> {
  if (changes.length === 0) return;
  await repo.insertAudit(
    trx,
    changes.map((c) => ({
      id: timeOrderedId(at),
      actor_user_id: actorId,
      action: c.action,
      entity: c.entity,
      entity_id: c.entityId,
      before_json: snapshot(c.before),
      after_json: snapshot(c.after),
      created_at: at,
    })),
  );
}

export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

const fail = (field: string, key: FieldMessageKey, params?: Record<string, string | number>): AppError =>
  AppError.field(field, key, params);

/** Whether a row is shown to patients (as far as its own columns go). */
function isPublished(table: SlugTable | 'practices', row: object): boolean {
  const r = row as { published_at?: number | null; unpublished_at?: number | null };
  return table === 'articles' ? r.published_at !== null : r.unpublished_at === null;
}

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

export { pageMeta };
export const limits = (page: PageRequest) => ({ limit: page.perPage, offset: (page.page - 1) * page.perPage });

/**
 * The back office: creates, changes, publishes, unpublishes and deletes catalogue rows. Every
 * change writes its audit row and bumps the catalogue version in the change's own transaction,
 * then tells this process's caches (`onChange`) so it shows here at once.
 */
export class AdminService {
  private readonly isPostgres: boolean;

  constructor(
    /** The database, for the back office's other services (schedules, orders). */
    readonly db: Db,
    private readonly options: { onChange: () => void; now?: () => number },
  ) {
    this.isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** The clock (tests move it). */
  now(): number {
    return (this.options.now ?? systemClock)();
  }

  /** Runs a change in a transaction with its audit rows and the version bump. */
  private async change<T>(actorId: string, work: (trx: Db) => Promise<{ changes: Change[]; result: T }>): Promise<T> {
    const { changes, result } = await this.db.transaction().execute(async (trx) => {
      const done = await work(trx);
      if (done.changes.length > 0) {
        await writeAudit(trx, actorId, done.changes, this.now());
        await VersionedCache.bump(trx, CATALOGUE_VERSION);
      }
      return done;
    });
    if (changes.length > 0) this.options.onChange();
    return result;
  }

  /** The row of a slug, locked for the rest of the transaction on PostgreSQL. */
  private async rowOf<T extends SlugTable>(trx: Db, def: KindDef & { table: T }, slug: string): Promise<Row<T>> {
    const found = this.isPostgres
      ? ((await trx
          .selectFrom(def.table as 'specialities')
          .selectAll()
          .where('slug', '=', slug)
          .forUpdate()
          .executeTakeFirst()) as Row<T> | undefined)
      : await repo.findBySlug(trx, def.table, slug);
    if (found === undefined) throw new AppError(def.notFound);
    return found;
  }

  private async idOfSlug(trx: Db, table: SlugTable, field: string, slug: string): Promise<string> {
    const row = await repo.findBySlug(trx, table, slug);
    if (row === undefined) throw fail(field, 'unknownReference');
    return row.id;
  }

  /** The columns an input sets, checked; `existing` is the row being updated, if any. */
  private async columns(trx: Db, kind: SlugKind, input: KindInputs[SlugKind], existing?: object): Promise<object> {
    const out: Record<string, unknown> = {};
    const i = input as Record<string, unknown>;
    const put = (column: string, value: unknown) => {
      if (value !== undefined) out[column] = value;
    };
    put('slug', i.slug);
    switch (kind) {
      case 'specialities':
      case 'product-categories': {
        const s = input as SpecialityInput;
        if (s.name !== undefined) put('name', text(s.name));
        if (s.description !== undefined) put('description', optionalText(s.description));
        break;
      }
      case 'hospitals': {
        const h = input as HospitalInput;
        if (h.name !== undefined) put('name', text(h.name));
        if (h.city !== undefined) put('city', text(h.city));
        put('timezone', h.timezone);
        if (h.doctor_leave_allowed !== undefined) put('doctor_leave_allowed', h.doctor_leave_allowed ? 1 : 0);
        for (const column of ['address', 'province', 'phone', 'description'] as const) {
          if (h[column] !== undefined) put(column, optionalText(h[column]));
        }
        break;
      }
      case 'doctors': {
        const d = input as DoctorInput;
        const username = d.username ?? (existing === undefined ? d.slug : undefined);
        if (username !== undefined) {
          const own = existing as { id?: string; user_id?: string | null } | undefined;
          // One namespace with every account: a patient's or an admin's username is refused;
          // the doctor's own login shares the doctor's.
          await lockUsernames(trx);
          if (await usernameTaken(trx, username, { doctorId: own?.id, userId: own?.user_id })) {
            throw fail('username', 'usernameTaken');
          }
          put('username', username);
        }
        if (d.name !== undefined) {
          put('name', text(d.name));
          put('name_search', text(d.name).toLowerCase());
        }
        if (d.speciality !== undefined) {
          put('speciality_id', await this.idOfSlug(trx, 'specialities', 'speciality', d.speciality));
        }
        if (d.about !== undefined) put('about', optionalText(d.about));
        put('experience_years', d.experience_years ?? (existing === undefined ? 0 : undefined));
        break;
      }
      case 'articles': {
        const a = input as ArticleInput;
        if (a.title !== undefined) put('title', text(a.title));
        if (a.excerpt !== undefined) put('excerpt', optionalText(a.excerpt));
        if (a.author !== undefined) put('author', optionalText(a.author));
        if (a.body !== undefined) {
          const body = sanitizeArticleHtml(a.body).trim();
          // Markup that was all scripts and styles leaves nothing to show.
          if (body.replace(/<[^>]*>/g, '').trim() === '' && !/<img\s/i.test(body)) throw fail('body', 'required');
          put('body_html', body);
        }
        break;
      }
      case 'products': {
        const p = input as ProductInput;
        if (p.name !== undefined) put('name', text(p.name));
        if (p.description !== undefined) put('description', optionalText(p.description));
        put('price', p.price);
        put('stock', p.stock);
        if (p.category !== undefined) {
          put('category_id', await this.idOfSlug(trx, 'product_categories', 'category', p.category));
        }
        break;
      }
    }
    return out;
  }

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
    return this.change(actorId, async (trx) => {
      await this.assertSlugFree(trx, def, input.slug);
      const now = this.now();
      const columns = await this.columns(trx, kind, input);
      const publication =
        kind === 'articles' ? { published_at: (input as ArticleInput).publish ? now : null } : { unpublished_at: null };
      const id = newId();
      const row: Record<string, unknown> = { id, ...columns, ...publication, created_at: now, updated_at: now };
      if (kind === 'hospitals' || kind === 'doctors' || kind === 'articles') row.image_id = null;
      if (kind === 'products') row.image_ids = '[]';
      try {
        await repo.insertRow(trx, def.table, row as Insertable<Database[SlugTable]>);
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
    return this.change(actorId, async (trx) => {
      // A doctor's username may change: the usernames' lock first, as every other writer of a
      // username takes it, so this and a doctor-login creation cannot deadlock on PostgreSQL.
      if (kind === 'doctors') await lockUsernames(trx);
      const before = await this.rowOf(trx, def, slug);
      await this.assertSlugFree(trx, def, input.slug, before.id);
      const columns = await this.columns(trx, kind, input, before);
      const changed = Object.entries(columns).some(([k, v]) => (before as Record<string, unknown>)[k] !== v);
      if (!changed) return { changes: [], result: before };
      let after: object | undefined;
      try {
        after = await repo.updateRow(trx, def.table, before.id, {
          ...columns,
          updated_at: this.now(),
        } as Updateable<Database[SlugTable]>);
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
    return this.change(actorId, async (trx) => {
      const before = await this.rowOf(trx, def, slug);
      if (isPublished(def.table, before) === publish) return { changes: [], result: before };
      const now = this.now();
      const patch: Record<string, number | null> =
        kind === 'articles'
          ? { published_at: publish ? now : null, updated_at: now }
          : { unpublished_at: publish ? null : now, updated_at: now };
      const after = await repo.updateRow(trx, def.table, before.id, patch as Updateable<Database[SlugTable]>);
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
    await this.change(actorId, async (trx) => {
      const before = await this.rowOf(trx, def, slug);
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
    return this.change(actorId, async (trx) => {
      const before = await this.rowOf(trx, def, slug);
      const imageId = newId();
      const now = this.now();
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
      const after = await repo.updateRow(trx, def.table, before.id, {
        ...patch,
        updated_at: now,
      } as Updateable<Database[SlugTable]>);
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
    return this.change(actorId, async (trx) => {
      const before = (await this.rowOf(trx, def, slug)) as Row<'products'>;
      const ids = productImageIds(before.image_ids);
      if (!ids.includes(imageId)) throw new AppError('NOT_FOUND');
      const after = await repo.updateRow(trx, 'products', before.id, {
        image_ids: JSON.stringify(ids.filter((id) => id !== imageId)),
        updated_at: this.now(),
      });
      await repo.deleteUnusedImages(trx, [imageId]);
      return {
        changes: [{ action: 'image', entity: def.entity, entityId: before.id, before, after: after! }],
        result: after!,
      };
    });
  }

  // Practices: a doctor at a hospital, by its numeric id (the apps' doctor_has_hospital_id).

  private async practiceOf(trx: Db, id: number): Promise<repo.PracticeRow> {
    const q = trx.selectFrom('practices').selectAll().where('id', '=', id);
    const found = await (this.isPostgres ? q.forUpdate() : q).executeTakeFirst();
    if (found === undefined) throw new AppError('PRACTICE_NOT_FOUND');
    return found;
  }

  private static checkPrices(callPrice: number | null, reservasiPrice: number | null): void {
    if (callPrice === null && reservasiPrice === null) {
      const problem = [{ key: 'priceRequired' as const }];
      throw new AppError('VALIDATION_FAILED', { fields: { call_price: problem, reservasi_price: problem } });
    }
  }

  async createPractice(actorId: string, input: Required<Pick<PracticeInput, 'doctor' | 'hospital'>> & PracticeInput) {
    const callPrice = input.call_price ?? null;
    const reservasiPrice = input.reservasi_price ?? null;
    return this.change(actorId, async (trx) => {
      const problems: FieldProblems = {};
      const doctor = await repo.findBySlug(trx, 'doctors', input.doctor);
      const hospital = await repo.findBySlug(trx, 'hospitals', input.hospital);
      if (doctor === undefined) problems.doctor = [{ key: 'unknownReference' }];
      if (hospital === undefined) problems.hospital = [{ key: 'unknownReference' }];
      if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
      AdminService.checkPrices(callPrice, reservasiPrice);
      if (await repo.practiceExists(trx, doctor!.id, hospital!.id)) throw fail('hospital', 'practiceExists');
      const now = this.now();
      let id: number;
      try {
        id = await repo.insertPractice(trx, {
          doctor_id: doctor!.id,
          hospital_id: hospital!.id,
          call_price: callPrice,
          reservasi_price: reservasiPrice,
          unpublished_at: null,
          created_at: now,
          updated_at: now,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw fail('hospital', 'practiceExists');
        if (isForeignKeyViolation(err)) throw fail('doctor', 'unknownReference');
        throw err;
      }
      const after = await this.practiceOf(trx, id);
      return {
        changes: [{ action: 'create', entity: 'practice', entityId: String(id), before: null, after }],
        result: id,
      };
    });
  }

  async updatePractice(actorId: string, id: number, input: PracticeInput): Promise<number> {
    return this.change(actorId, async (trx) => {
      const before = await this.practiceOf(trx, id);
      const callPrice = input.call_price === undefined ? before.call_price : input.call_price;
      const reservasiPrice = input.reservasi_price === undefined ? before.reservasi_price : input.reservasi_price;
      AdminService.checkPrices(callPrice, reservasiPrice);
      if (callPrice === before.call_price && reservasiPrice === before.reservasi_price) {
        return { changes: [], result: id };
      }
      const after = await repo.updatePractice(trx, id, {
        call_price: callPrice,
        reservasi_price: reservasiPrice,
        updated_at: this.now(),
      });
      return {
        changes: [{ action: 'update', entity: 'practice', entityId: String(id), before, after: after! }],
        result: id,
      };
    });
  }

  async setPracticePublished(actorId: string, id: number, publish: boolean): Promise<number> {
    return this.change(actorId, async (trx) => {
      const before = await this.practiceOf(trx, id);
      if ((before.unpublished_at === null) === publish) return { changes: [], result: id };
      const now = this.now();
      const after = await repo.updatePractice(trx, id, { unpublished_at: publish ? null : now, updated_at: now });
      return {
        changes: [
          {
            action: publish ? 'publish' : 'unpublish',
            entity: 'practice',
            entityId: String(id),
            before,
            after: after!,
          },
        ],
        result: id,
      };
    });
  }

  async removePractice(actorId: string, id: number): Promise<void> {
    await this.change(actorId, async (trx) => {
      const before = await this.practiceOf(trx, id);
      try {
        await repo.deleteRow(trx, 'practices', id);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new AppError('STILL_REFERENCED');
        throw err;
      }
      return {
        changes: [{ action: 'delete', entity: 'practice', entityId: String(id), before, after: null }],
        result: null,
      };
    });
  }

  // Reads.

  async findRow(kind: SlugKind, slug: string): Promise<object> {
    const def = KINDS[kind];
    const row = await repo.findBySlug(this.db, def.table, slug);
    if (row === undefined) throw new AppError(def.notFound);
    return row;
  }

  async list(kind: SlugKind, filter: ListFilter, page: PageRequest): Promise<{ rows: object[]; meta: PageMeta }> {
    const def = KINDS[kind];
    const equals: Record<string, string> = {};
    const reference = async (table: SlugTable, slug: string | undefined, column: string): Promise<boolean> => {
      if (slug === undefined || slug === '') return true;
      const row = await repo.findBySlug(this.db, table, slug);
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
    const { rows, total } = await repo.listRows(this.db, def.table, {
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

  async practiceResource(id: number): Promise<PracticeResource> {
    const found = await repo.findPractice(this.db, id);
    if (found === undefined) throw new AppError('PRACTICE_NOT_FOUND');
    return practiceResource(found);
  }

  async listPractices(filter: ListFilter, page: PageRequest): Promise<Page<PracticeResource>> {
    const ids: { doctorId?: string; hospitalId?: string } = {};
    for (const [key, table, slug] of [
      ['doctorId', 'doctors', filter.doctor],
      ['hospitalId', 'hospitals', filter.hospital],
    ] as const) {
      if (slug === undefined || slug === '') continue;
      const row = await repo.findBySlug(this.db, table, slug);
      if (row === undefined) return { data: [], meta: pageMeta(page, 0) };
      ids[key] = row.id;
    }
    const { rows, total } = await repo.listPractices(
      this.db,
      {
        ...ids,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.hospitalIds !== undefined ? { hospitalIds: filter.hospitalIds } : {}),
      },
      limits(page),
    );
    return { data: rows.map(practiceResource), meta: pageMeta(page, total) };
  }

  async auditLog(filter: repo.AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
    const { rows, total } = await repo.listAudit(this.db, filter, limits(page));
    const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));
    return {
      data: rows.map((r) => ({
        id: r.id,
        actor_user_id: r.actor_user_id,
        actor: r.actor_name === null ? null : { name: r.actor_name, email: r.actor_email ?? '' },
        action: r.action,
        entity: r.entity,
        entity_id: r.entity_id,
        before: parse(r.before_json),
        after: parse(r.after_json),
        created_at: new Date(r.created_at).toISOString(),
      })),
      meta: pageMeta(page, total),
    };
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
            this.db,
            'specialities',
            doctors.map((d) => d.speciality_id),
          ),
          repo.practicesOfDoctors(this.db, ids),
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
          this.db,
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

export interface PracticeResource {
  id: number;
  doctor: string;
  hospital: string;
  hospital_name: string;
  call_price: number | null;
  reservasi_price: number | null;
  appointment_types: string[];
  unpublished_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditEntry {
  id: string;
  actor_user_id: string;
  actor: { name: string; email: string } | null;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

export function practiceResource(p: repo.PracticeDetail): PracticeResource {
  return {
    id: Number(p.id),
    doctor: p.doctor_slug,
    hospital: p.hospital_slug,
    hospital_name: p.hospital_name,
    call_price: p.call_price,
    reservasi_price: p.reservasi_price,
    appointment_types: [
      ...(p.call_price !== null ? ['call'] : []),
      ...(p.reservasi_price !== null ? ['reservasi'] : []),
    ],
    unpublished_at: iso(p.unpublished_at),
    created_at: iso(p.created_at)!,
    updated_at: iso(p.updated_at)!,
  };
}

/** The pictures a row owns. */
function imageIdsOf(row: object): string[] {
  const r = row as { image_id?: string | null; image_ids?: string };
  if (typeof r.image_ids === 'string') return productImageIds(r.image_ids);
  return r.image_id ? [r.image_id] : [];
}

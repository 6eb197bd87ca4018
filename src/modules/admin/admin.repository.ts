import type { Db } from '../../db/index.js';
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The catalogue tables whose rows are named by a slug. */
export type SlugTable = 'specialities' | 'hospitals' | 'doctors' | 'articles' | 'product_categories' | 'products';
export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type PracticeRow = Row<'practices'>;

/*
 * The generic helpers below name one table's type ('specialities') to Kysely while running on
 * whichever table they are given: they only touch the columns every slug table has (id, slug,
 * created_at, updated_at) or columns passed in by name, and return the caller's row type.
 */

export const findBySlug = async <T extends SlugTable>(db: Db, table: T, slug: string): Promise<Row<T> | undefined> =>
  (await db
    .selectFrom(table as 'specialities')
    .selectAll()
    .where('slug', '=', slug)
    .executeTakeFirst()) as Row<T> | undefined;

export const deleteRow = async (db: Db, table: SlugTable | 'practices', id: string | number): Promise<boolean> => {
  const result =
    table === 'practices'
      ? await db.deleteFrom('practices').where('id', '=', Number(id)).executeTakeFirst()
      : await db
          .deleteFrom(table as 'specialities')
          .where('id', '=', String(id))
          .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
};

export interface ListOptions {
  /** The column searched and sorted on (name, or an article's title). */
  nameColumn: 'name' | 'title';
  /** Case-insensitive text in the name or the slug. */
  q?: string;
  /** published / unpublished; articles are published when published_at is set. */
  status?: 'published' | 'unpublished';
  /** Column = value filters (a reference id). */
  equals?: Record<string, string>;
  /** Only these hospitals (by id), or only doctors practising at one of them: a hospital admin's lists. */
  atHospitals?: { ids: readonly string[]; via: 'id' | 'practices' };
  limit: number;
  offset: number;
}

/** `%text%` with LIKE's wildcards escaped; used with ESCAPE '\' (SQLite has no default escape). */
const likeContains = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listRows<T extends SlugTable>(
  db: Db,
  table: T,
  options: ListOptions,
): Promise<{ rows: Row<T>[]; total: number }> {
  const publishedColumn = table === 'articles' ? 'published_at' : 'unpublished_at';
  const publishedWhenNull = table !== 'articles';
  const nameRef = sql.ref(options.nameColumn);
  let q = db.selectFrom(table as 'specialities');
  if (options.q !== undefined) {
    const pattern = likeContains(options.q);
    q = q.where(
      sql<boolean>`(lower(${nameRef}) like ${pattern} escape '\\' or ${sql.ref('slug')} like ${pattern} escape '\\')`,
    );
  }
  if (options.status !== undefined) {
    const wantNull = (options.status === 'published') === publishedWhenNull;
    q = q.where(sql.ref(publishedColumn), wantNull ? 'is' : 'is not', null);
  }
  for (const [column, value] of Object.entries(options.equals ?? {})) q = q.where(sql.ref(column), '=', value);
  const at = options.atHospitals;
  if (at !== undefined) {
    const ids = at.ids.length > 0 ? [...at.ids] : [''];
    q =
      at.via === 'id'
        ? q.where('id', 'in', ids)
        : q.where('id', 'in', db.selectFrom('practices').select('doctor_id').where('hospital_id', 'in', ids));
  }

  const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q.selectAll().orderBy(nameRef).orderBy('id').limit(options.limit).offset(options.offset).execute();
  return { rows: rows as Row<T>[], total: Number(counted.n) };
}

/** Slugs of rows by id, for the references a resource shows (a doctor's speciality). */
export async function slugsByIds(db: Db, table: SlugTable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table as 'specialities')
    .select(['id', 'slug'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.slug]));
}

/**
 * A hospital's new slug in the scopes of the client apps limited to it (a scope is a JSON array
 * of hospital slugs), so renaming a hospital does not take it away from those apps.
 */
export async function renameHospitalInScopes(db: Db, oldSlug: string, newSlug: string): Promise<void> {
  const apps = await db
    .selectFrom('client_apps')
    .select(['id', 'hospital_scope'])
    .where('hospital_scope', 'like', `%"${oldSlug}"%`)
    .execute();
  for (const app of apps) {
    let scope: unknown;
    try {
      scope = JSON.parse(app.hospital_scope ?? 'null');
    } catch {
      continue;
    }
    if (!Array.isArray(scope) || !scope.includes(oldSlug)) continue;
    const renamed = [...new Set(scope.map((s: unknown) => (s === oldSlug ? newSlug : s)))];
    // Only over the scope this read saw: a concurrent rename of another of its hospitals makes
    // this one read the scope again instead of writing back a stale copy.
    const result = await db
      .updateTable('client_apps')
      .set({ hospital_scope: JSON.stringify(renamed) })
      .where('id', '=', app.id)
      .where('hospital_scope', '=', app.hospital_scope)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return renameHospitalInScopes(db, oldSlug, newSlug);
  }
}

// Practices.

export interface PracticeDetail extends PracticeRow {
  doctor_slug: string;
  hospital_slug: string;
  hospital_name: string;
  /** The hospital's time zone. */
  timezone: string;
}

const practiceDetails = (db: Db) =>
  db
    .selectFrom('practices')
    .innerJoin('doctors', 'doctors.id', 'practices.doctor_id')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .selectAll('practices')
    .select([
      'doctors.slug as doctor_slug',
      'hospitals.slug as hospital_slug',
      'hospitals.name as hospital_name',
      'hospitals.timezone',
    ]);

export const findPractice = (db: Db, id: number): Promise<PracticeDetail | undefined> =>
  practiceDetails(db).where('practices.id', '=', id).executeTakeFirst();

export const practicesOfDoctors = (db: Db, doctorIds: readonly string[]): Promise<PracticeDetail[]> =>
  doctorIds.length === 0
    ? Promise.resolve([])
    : practiceDetails(db)
        .where('practices.doctor_id', 'in', [...doctorIds])
        .orderBy('hospitals.name')
        .orderBy('practices.id')
        .execute();

export async function listPractices(
  db: Db,
  filter: {
    doctorId?: string;
    hospitalId?: string;
    hospitalIds?: readonly string[];
    status?: 'published' | 'unpublished';
  },
  page: { limit: number; offset: number },
): Promise<{ rows: PracticeDetail[]; total: number }> {
  let q = practiceDetails(db);
  // A hospital admin's: only their hospitals' (none: nothing).
  if (filter.hospitalIds !== undefined) q = q.where('practices.hospital_id', 'in', [...filter.hospitalIds, '']);
  if (filter.doctorId !== undefined) q = q.where('practices.doctor_id', '=', filter.doctorId);
  if (filter.hospitalId !== undefined) q = q.where('practices.hospital_id', '=', filter.hospitalId);
  if (filter.status !== undefined) {
    q = q.where('practices.unpublished_at', filter.status === 'published' ? 'is' : 'is not', null);
  }
  const counted = await q
    .clearSelect()
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await q
    .orderBy('doctors.name')
    .orderBy('hospitals.name')
    .orderBy('practices.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(counted.n) };
}

export const insertPractice = async (db: Db, row: Insertable<Database['practices']>): Promise<number> => {
  const inserted = await db.insertInto('practices').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(inserted.id);
};

export const updatePractice = (db: Db, id: number, patch: Updateable<Database['practices']>) =>
  db.updateTable('practices').set(patch).where('id', '=', id).returningAll().executeTakeFirst();

export const practiceExists = async (db: Db, doctorId: string, hospitalId: string): Promise<boolean> =>
  (await db
    .selectFrom('practices')
    .select('id')
    .where('doctor_id', '=', doctorId)
    .where('hospital_id', '=', hospitalId)
    .executeTakeFirst()) !== undefined;

// What still refers to a row, before it may be deleted.

export const hasDoctorsOfSpeciality = async (db: Db, specialityId: string): Promise<boolean> =>
  (await db.selectFrom('doctors').select('id').where('speciality_id', '=', specialityId).executeTakeFirst()) !==
  undefined;

export const hasPracticesWhere = async (db: Db, column: 'doctor_id' | 'hospital_id', id: string): Promise<boolean> =>
  (await db.selectFrom('practices').select('id').where(column, '=', id).executeTakeFirst()) !== undefined;

export const hasProductsOfCategory = async (db: Db, categoryId: string): Promise<boolean> =>
  (await db.selectFrom('products').select('id').where('category_id', '=', categoryId).executeTakeFirst()) !== undefined;

/** Whether another doctor has this username, in any case (bookings compare it so). */
export const usernameOfDoctorTaken = async (db: Db, username: string, exceptId?: string): Promise<boolean> =>
  (await db
    .selectFrom('doctors')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
    .executeTakeFirst()) !== undefined;

// Images of the catalogue (owner_user_id null).

export const insertImage = (db: Db, row: Database['images']) => db.insertInto('images').values(row).execute();

/** Whether any catalogue row other than the one named still shows this image. */
export async function imageInUse(db: Db, imageId: string): Promise<boolean> {
  for (const table of ['hospitals', 'doctors', 'articles'] as const) {
    const hit = await db
      .selectFrom(table as 'hospitals')
      .select('id')
      .where('image_id', '=', imageId)
      .executeTakeFirst();
    if (hit !== undefined) return true;
  }
  const product = await db
    .selectFrom('products')
    .select('id')
    .where('image_ids', 'like', `%"${imageId}"%`)
    .executeTakeFirst();
  return product !== undefined;
}

/** Deletes catalogue images no row shows any more (never a patient's avatar). */
export async function deleteUnusedImages(db: Db, imageIds: readonly string[]): Promise<void> {
  for (const id of imageIds) {
    if (await imageInUse(db, id)) continue;
    await db.deleteFrom('images').where('id', '=', id).where('owner_user_id', 'is', null).execute();
  }
}

// The audit log.

export type AuditRow = Database['audit_log'];

export const insertAudit = (db: Db, rows: AuditRow[]) => db.insertInto('audit_log').values(rows).execute();

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  action?: string;
  actorUserId?: string;
}

export async function listAudit(
  db: Db,
  filter: AuditFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: (AuditRow & { actor_name: string | null; actor_email: string | null })[]; total: number }> {
  let q = db.selectFrom('audit_log');
  if (filter.entity !== undefined) q = q.where('audit_log.entity', '=', filter.entity);
  if (filter.entityId !== undefined) q = q.where('audit_log.entity_id', '=', filter.entityId);
  if (filter.action !== undefined) q = q.where('audit_log.action', '=', filter.action);
  if (filter.actorUserId !== undefined) q = q.where('audit_log.actor_user_id', '=', filter.actorUserId);
  const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .selectAll('audit_log')
    .select(['users.name as actor_name', 'users.email as actor_email'])
    .orderBy('audit_log.created_at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(counted.n) };
}

// Schedules: weekly rules and dated exceptions of practices.

export type RuleRow = Row<'schedule_rules'>;
export type ExceptionRow = Row<'schedule_exceptions'>;

/** A row of a doctor's timeline, with the time zone its times are in. */
export type RuleOfDoctor = RuleRow & { hospital: string; timezone: string };
export type ExtraOfDoctor = ExceptionRow & { timezone: string };

/**
 * Locks a doctor's row until the transaction ends (PostgreSQL), so that two changes to the
 * schedules of one doctor, at any of their practices, are checked for overlaps one after the
 * other. SQLite runs one write transaction at a time anyway.
 */
export const lockDoctor = (db: Db, doctorId: string) =>
  db.selectFrom('doctors').select('id').where('id', '=', doctorId).forUpdate().execute();

export const rulesOfPractice = (db: Db, practiceId: number): Promise<RuleRow[]> =>
  db
    .selectFrom('schedule_rules')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .orderBy('weekday')
    .orderBy('start_time')
    .orderBy('id')
    .execute();

/** Every weekly rule of a doctor, at all of their practices. */
export const rulesOfDoctor = (db: Db, doctorId: string): Promise<RuleOfDoctor[]> =>
  db
    .selectFrom('schedule_rules')
    .innerJoin('practices', 'practices.id', 'schedule_rules.practice_id')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .selectAll('schedule_rules')
    .select(['hospitals.slug as hospital', 'hospitals.timezone'])
    .where('practices.doctor_id', '=', doctorId)
    .orderBy('schedule_rules.weekday')
    .orderBy('schedule_rules.start_time')
    .orderBy('schedule_rules.id')
    .execute();

/** A doctor's extra hours on dates from `from` (to `to`, if given; Y-m-d), at all of their practices. */
export const extrasOfDoctor = (db: Db, doctorId: string, from: string, to?: string): Promise<ExtraOfDoctor[]> =>
  db
    .selectFrom('schedule_exceptions')
    .innerJoin('practices', 'practices.id', 'schedule_exceptions.practice_id')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .selectAll('schedule_exceptions')
    .select('hospitals.timezone')
    .where('practices.doctor_id', '=', doctorId)
    .where('schedule_exceptions.kind', '=', 'extra')
    .where('schedule_exceptions.date', '>=', from)
    .$if(to !== undefined, (q) => q.where('schedule_exceptions.date', '<=', to!))
    .execute();

export const exceptionsOfPractice = (
  db: Db,
  practiceId: number,
  range: { from?: string; to?: string },
): Promise<ExceptionRow[]> =>
  db
    .selectFrom('schedule_exceptions')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .$if(range.from !== undefined, (q) => q.where('date', '>=', range.from!))
    .$if(range.to !== undefined, (q) => q.where('date', '<=', range.to!))
    .orderBy('date')
    .orderBy('start_time')
    .orderBy('id')
    .execute();

export const findRule = (db: Db, practiceId: number, id: string) =>
  db
    .selectFrom('schedule_rules')
    .selectAll()
    .where('id', '=', id)
    .where('practice_id', '=', practiceId)
    .executeTakeFirst();

export const insertRule = (db: Db, row: RuleRow) => db.insertInto('schedule_rules').values(row).execute();

export const updateRule = (db: Db, id: string, patch: Updateable<Database['schedule_rules']>) =>
  db.updateTable('schedule_rules').set(patch).where('id', '=', id).returningAll().executeTakeFirst();

export const deleteRule = (db: Db, id: string) => db.deleteFrom('schedule_rules').where('id', '=', id).execute();

export const findException = (db: Db, practiceId: number, id: string) =>
  db
    .selectFrom('schedule_exceptions')
    .selectAll()
    .where('id', '=', id)
    .where('practice_id', '=', practiceId)
    .executeTakeFirst();

export const insertException = (db: Db, row: ExceptionRow) =>
  db.insertInto('schedule_exceptions').values(row).execute();

export const deleteException = (db: Db, id: string) =>
  db.deleteFrom('schedule_exceptions').where('id', '=', id).execute();

// Orders, for the back office.

export type OrderRow = Row<'orders'>;

export const orderByTransactionId = (db: Db, transactionId: string): Promise<OrderRow | undefined> =>
  db.selectFrom('orders').selectAll().where('transaction_id', '=', transactionId).executeTakeFirst();

export interface OrderFilter {
  statuses?: readonly string[];
  doctorId?: string;
  hospitalId?: string;
  hospitalIds?: readonly string[];
  /** A transaction id, or a part of the patient's name. */
  search?: string;
  /**
   * The appointment's start, as instants per time zone: an order is in range when its start
   * lies in the bounds of its own zone (its local date is between the dates asked for).
   */
  startRanges?: readonly { timezone: string; from?: number; before?: number }[];
}

/** Orders, newest first, with their total. */
export async function listOrders(
  db: Db,
  filter: OrderFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: OrderRow[]; total: number }> {
  let q = db.selectFrom('orders');
  if (filter.statuses !== undefined) q = q.where('status', 'in', [...filter.statuses]);
  if (filter.doctorId !== undefined) q = q.where('doctor_id', '=', filter.doctorId);
  if (filter.hospitalId !== undefined) q = q.where('hospital_id', '=', filter.hospitalId);
  // A hospital admin's: only their hospitals' (none: nothing).
  if (filter.hospitalIds !== undefined) q = q.where('hospital_id', 'in', [...filter.hospitalIds, '']);
  const search = filter.search;
  if (search !== undefined) {
    // A transaction id exactly, or a part of the patient's name, whatever its case.
    const pattern = likeContains(search);
    q = q.where(
      sql<boolean>`(${sql.ref('transaction_id')} = ${search.toUpperCase()} or lower(${sql.ref('patient_name')}) like ${pattern} escape '\\')`,
    );
  }
  const ranges = filter.startRanges;
  if (ranges !== undefined) {
    q = q.where((eb) =>
      eb.or(
        ranges.map((r) =>
          eb.and([
            eb('timezone', '=', r.timezone),
            ...(r.from !== undefined ? [eb('start_at', '>=', r.from)] : []),
            ...(r.before !== undefined ? [eb('start_at', '<', r.before)] : []),
          ]),
        ),
      ),
    );
  }
  const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(counted.n) };
}

import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Db } from '../../db/index.js';
import { VersionedCache } from '../../lib/cache.js';
import type { Database } from '../../db/schema.js';
import {
  CATALOGUE_VERSION,
  catalogueColumns,
  insertRows,
  newCatalogueRow,
  updateCatalogueRow,
  type CatalogueFields,
  type CatalogueTable,
} from '../../modules/catalogue/index.js';
import { newId } from '../../security/tokens.js';
import { lockUsernames } from '../../modules/accounts/index.js';
import { SLUG } from './check.js';
import {
  ENTITIES,
  isObject,
  type ArticleIn,
  type Base,
  type CatalogueChanges,
  type CatalogueImportSummary,
  type CategoryIn,
  type Checked,
  type DoctorIn,
  type Entity,
  type EntityChanges,
  type HospitalIn,
  type ImportProblem,
  type ProductIn,
  type SourceRecord,
  type SpecialityIn,
} from './types.js';

// Writing a checked file to the database: its references and usernames are checked against the
// database first, in the import's transaction.

const SINGULAR: Record<Entity, string> = {
  specialities: 'speciality',
  hospitals: 'hospital',
  doctors: 'doctor',
  articles: 'article',
  categories: 'category',
  products: 'product',
};

const TABLE = {
  specialities: 'specialities',
  hospitals: 'hospitals',
  doctors: 'doctors',
  articles: 'articles',
  categories: 'product_categories',
  products: 'products',
} as const;

type Row = { id: string; slug: string } & Record<string, unknown>;
/** The catalogue tables seen through their common shape (id, slug, ...), for the generic upsert. */
type Loose = Kysely<Record<string, Row>>;

/** The file's problems, thrown inside the transaction so that nothing of it is written. */
export class Rejected extends Error {
  constructor(readonly errors: ImportProblem[]) {
    super('import rejected');
  }
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < list.length; k += size) out.push(list.slice(k, k + size));
  return out;
}

async function rowsBySlug(db: Loose, table: string, slugs: Iterable<string>): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  for (const part of chunks([...new Set(slugs)], 500)) {
    const rows = await db.selectFrom(table).selectAll().where('slug', 'in', part).execute();
    for (const row of rows as Row[]) found.set(row.slug, row);
  }
  return found;
}

/**
 * What the import does to each record of one entity, slug by slug in file order: null creates
 * it; a list names the fields that differ from the database (empty: the record is unchanged).
 */
type EntityLog = Map<string, string[] | null>;

/** Columns whose field in the file has another name (name_search is derived from the name). */
const FIELD_OF_COLUMN: Record<string, string> = {
  name_search: 'name',
  speciality_id: 'speciality',
  category_id: 'category',
  unpublished_at: 'published',
  body_html: 'body',
};

function summarize(logs: Record<Entity, EntityLog>): CatalogueChanges {
  const changes = {} as CatalogueChanges;
  for (const entity of ENTITIES) {
    const c: EntityChanges = { create: [], update: [], unchanged: 0, fields: {} };
    for (const [slug, fields] of logs[entity]) {
      if (fields === null) c.create.push(slug);
      else if (fields.length === 0) c.unchanged += 1;
      else {
        c.update.push(slug);
        c.fields[slug] = fields;
      }
    }
    changes[entity] = c;
  }
  return changes;
}

/**
 * Inserts the new slugs with new ids, updates the existing rows that differ, and notes both in
 * `log`; a dry run only notes them. Returns slug -> id (a dry run's new ids are never stored).
 */
async function upsert<T extends CatalogueTable, R extends Base>(
  trx: Db,
  table: T,
  existing: Map<string, Row>,
  records: readonly R[],
  values: (
    record: R,
    row: Row | undefined,
  ) => { fields: CatalogueFields[T]; publication: Record<string, number | null> },
  now: number,
  log: EntityLog,
  dryRun: boolean,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const inserts: Insertable<Database[T]>[] = [];
  for (const record of records) {
    const row = existing.get(record.slug);
    const { fields, publication } = values(record, row);
    // Stored as the back office and the seed store them: the catalogue's writer decides.
    const v = { ...(catalogueColumns(table, fields) as Record<string, unknown>), ...publication };
    if (row === undefined) {
      const id = newId();
      ids.set(record.slug, id);
      log.set(record.slug, null);
      inserts.push({ ...newCatalogueRow(table, id, { ...fields, slug: record.slug }, { now }), ...v });
    } else {
      ids.set(record.slug, row.id);
      const differ = Object.keys(v).filter((k) => row[k] !== v[k]);
      log.set(record.slug, [...new Set(differ.map((k) => FIELD_OF_COLUMN[k] ?? k))]);
      if (differ.length > 0 && !dryRun) {
        await updateCatalogueRow(trx, table, row.id, v as Updateable<Database[T]>, now);
      }
    }
  }
  if (!dryRun) await insertRows(trx, table, inserts);
  return ids;
}

/** unpublished_at for `published`: absent keeps an existing record's state; new records are published. */
const unpublishedAt = (published: boolean | undefined, row: Row | undefined, now: number): number | null => {
  const current = (row?.unpublished_at as number | null | undefined) ?? null;
  if (published === undefined) return current;
  return published ? null : (current ?? now);
};

/** Slug -> id of the referenced rows that exist, for the references the file itself does not define. */
async function referenced(
  db: Loose,
  table: string,
  wanted: Iterable<string>,
  inFile: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const need = [...new Set(wanted)].filter((s) => s !== '' && !inFile.has(s));
  const rows = await rowsBySlug(db, table, need);
  return new Map([...rows].map(([slug, row]) => [slug, row.id]));
}

/**
 * Checks the file's references and usernames against the database, then upserts it all; a dry
 * run does every check and works out every change the same way, but writes nothing.
 */
export async function writeCatalogue(
  trx: Db,
  data: Checked,
  records: readonly SourceRecord[],
  now: number,
  dryRun: boolean,
): Promise<CatalogueImportSummary> {
  const db = trx as unknown as Loose;
  // First: it takes the write lock at once (SQLite) and queues concurrent imports (PostgreSQL).
  if (!dryRun) await VersionedCache.bump(trx, CATALOGUE_VERSION);

  const slugsOf = (list: readonly Base[]) => new Set(list.map((r) => r.slug));
  const fileSpecialities = slugsOf(data.specialities);
  const fileHospitals = slugsOf(data.hospitals);
  const fileCategories = slugsOf(data.categories);
  const dbSpecialities = await referenced(
    db,
    'specialities',
    data.doctors.map((d) => d.speciality),
    fileSpecialities,
  );
  const dbHospitals = await referenced(
    db,
    'hospitals',
    data.doctors.flatMap((d) => d.practices.map((p) => p.hospital)),
    fileHospitals,
  );
  const dbCategories = await referenced(
    db,
    'product_categories',
    data.products.map((p) => p.category),
    fileCategories,
  );

  // References: to records of this file, or to rows already in the database.
  for (const d of data.doctors) {
    if (d.speciality !== '' && !fileSpecialities.has(d.speciality) && !dbSpecialities.has(d.speciality)) {
      d.src.problems.push(`speciality "${d.speciality}" is neither in this file nor in the database`);
    }
    for (const p of d.practices) {
      if (!fileHospitals.has(p.hospital) && !dbHospitals.has(p.hospital)) {
        d.src.problems.push(`hospital "${p.hospital}" is neither in this file nor in the database`);
      }
    }
  }
  for (const p of data.products) {
    if (p.category !== '' && !fileCategories.has(p.category) && !dbCategories.has(p.category)) {
      p.src.problems.push(`category "${p.category}" is neither in this file nor in the database`);
    }
  }

  // A username belongs to one doctor: another doctor of the database may not hold it, unless
  // this file gives that doctor another one.
  const fileDoctors = new Map(data.doctors.map((d) => [d.slug, d]));
  const byUsername = new Map(data.doctors.filter((d) => d.username !== '').map((d) => [d.username.toLowerCase(), d]));
  for (const part of chunks([...byUsername.keys()], 500)) {
    const holders = await trx
      .selectFrom('doctors')
      .select(['slug', 'username'])
      .where((eb) => eb(eb.fn('lower', ['username']), 'in', part))
      .execute();
    for (const holder of holders) {
      const d = byUsername.get(holder.username.toLowerCase())!;
      const renamed = fileDoctors.get(holder.slug);
      if (
        holder.slug !== d.slug &&
        (renamed === undefined || renamed.username.toLowerCase() === d.username.toLowerCase())
      ) {
        d.src.problems.push(`username "${d.username}" belongs to doctor "${holder.slug}" in the database`);
      }
    }
  }
  // Nor may an account hold it (usernames are one namespace), but the doctor's own login.
  if (!dryRun) await lockUsernames(trx);
  for (const part of chunks([...byUsername.keys()], 500)) {
    const holders = await trx
      .selectFrom('users')
      .leftJoin('doctors', 'doctors.user_id', 'users.id')
      .select(['users.username_normalized as username', 'doctors.slug as slug'])
      .where('users.username_normalized', 'in', part)
      .execute();
    for (const holder of holders) {
      const d = byUsername.get(holder.username)!;
      if (holder.slug !== d.slug) d.src.problems.push(`username "${d.username}" belongs to an account`);
    }
  }
  // Every problem of the file at once, its own and its references': then nothing is written.
  if (records.some((r) => r.problems.length > 0)) throw new Rejected(problemsOf(records));

  const existing = {
    specialities: await rowsBySlug(db, 'specialities', fileSpecialities),
    hospitals: await rowsBySlug(db, 'hospitals', fileHospitals),
    categories: await rowsBySlug(db, 'product_categories', fileCategories),
    doctors: await rowsBySlug(db, 'doctors', fileDoctors.keys()),
    articles: await rowsBySlug(db, 'articles', slugsOf(data.articles)),
    products: await rowsBySlug(db, 'products', slugsOf(data.products)),
  };
  const logs = Object.fromEntries(ENTITIES.map((e) => [e, new Map()])) as Record<Entity, EntityLog>;

  const specialityIds = await upsert(
    trx,
    TABLE.specialities,
    existing.specialities,
    data.specialities,
    (s: SpecialityIn, row) => ({
      // The writer takes the table's own fields of the record (the slug is the row's already).
      fields: s,
      publication: { unpublished_at: unpublishedAt(s.published, row, now) },
    }),
    now,
    logs.specialities,
    dryRun,
  );
  const hospitalIds = await upsert(
    trx,
    TABLE.hospitals,
    existing.hospitals,
    data.hospitals,
    (h: HospitalIn, row) => ({
      fields: h,
      publication: { unpublished_at: unpublishedAt(h.published, row, now) },
    }),
    now,
    logs.hospitals,
    dryRun,
  );
  const categoryIds = await upsert(
    trx,
    TABLE.categories,
    existing.categories,
    data.categories,
    (c: CategoryIn, row) => ({
      fields: c,
      publication: { unpublished_at: unpublishedAt(c.published, row, now) },
    }),
    now,
    logs.categories,
    dryRun,
  );

  // Usernames that move between doctors: park the changing ones first, so no swap collides.
  for (const d of data.doctors) {
    const row = existing.doctors.get(d.slug);
    if (row !== undefined && row.username !== d.username && !dryRun) {
      await trx
        .updateTable('doctors')
        .set({ username: `~${row.id}` })
        .where('id', '=', row.id)
        .execute();
    }
  }
  const doctorIds = await upsert(
    trx,
    TABLE.doctors,
    existing.doctors,
    data.doctors,
    (d: DoctorIn, row) => ({
      fields: {
        username: d.username,
        name: d.name,
        speciality_id: specialityIds.get(d.speciality) ?? dbSpecialities.get(d.speciality)!,
        about: d.about,
        experience_years: d.experience_years,
      },
      publication: { unpublished_at: unpublishedAt(d.published, row, now) },
    }),
    now,
    logs.doctors,
    dryRun,
  );

  // Practices: the file's list replaces the doctor's. A practice left out is unpublished, not
  // deleted, so its doctor_has_hospital_id (in orders and schedules) keeps pointing somewhere;
  // listing it again publishes the same id again.
  let practices = 0;
  const current = new Map<
    string,
    {
      id: number;
      doctor_id: string;
      call_price: number | null;
      reservasi_price: number | null;
      unpublished_at: number | null;
    }
  >();
  for (const part of chunks([...doctorIds.values()], 500)) {
    const rows = await trx
      .selectFrom('practices')
      .select(['id', 'doctor_id', 'hospital_id', 'call_price', 'reservasi_price', 'unpublished_at'])
      .where('doctor_id', 'in', part)
      .execute();
    for (const r of rows) current.set(`${r.doctor_id}|${r.hospital_id}`, r);
  }
  const newPractices: {
    doctor_id: string;
    hospital_id: string;
    call_price: number | null;
    reservasi_price: number | null;
    unpublished_at: null;
    created_at: number;
    updated_at: number;
  }[] = [];
  const kept = new Set<number>();
  /** Doctors whose practices change: an update of the doctor, in the summary. */
  const practicesChange = (slug: string) => {
    const fields = logs.doctors.get(slug);
    if (fields !== null && fields !== undefined && !fields.includes('practices')) fields.push('practices');
  };
  for (const d of data.doctors) {
    const doctorId = doctorIds.get(d.slug)!;
    for (const p of d.practices) {
      practices += 1;
      const hospitalId = hospitalIds.get(p.hospital) ?? dbHospitals.get(p.hospital)!;
      const row = current.get(`${doctorId}|${hospitalId}`);
      const v = { call_price: p.call_price, reservasi_price: p.reservasi_price, unpublished_at: null };
      if (row === undefined) {
        newPractices.push({ doctor_id: doctorId, hospital_id: hospitalId, ...v, created_at: now, updated_at: now });
        practicesChange(d.slug);
        continue;
      }
      kept.add(row.id);
      if (row.call_price !== v.call_price || row.reservasi_price !== v.reservasi_price || row.unpublished_at !== null) {
        practicesChange(d.slug);
        if (!dryRun) {
          await trx
            .updateTable('practices')
            .set({ ...v, updated_at: now })
            .where('id', '=', row.id)
            .execute();
        }
      }
    }
  }
  const slugOfDoctor = new Map([...doctorIds].map(([slug, id]) => [id, slug]));
  const droppedRows = [...current.values()].filter((r) => !kept.has(r.id) && r.unpublished_at === null);
  for (const r of droppedRows) practicesChange(slugOfDoctor.get(r.doctor_id)!);
  const dropped = droppedRows.map((r) => r.id);
  if (!dryRun) {
    for (const part of chunks(dropped, 500)) {
      await trx
        .updateTable('practices')
        .set({ unpublished_at: now, updated_at: now })
        .where('id', 'in', part)
        .execute();
    }
    await insertRows(trx, 'practices', newPractices);
  }

  await upsert(
    trx,
    TABLE.articles,
    existing.articles,
    data.articles,
    (a: ArticleIn, row) => {
      const current = row === undefined ? undefined : ((row.published_at as number | null) ?? null);
      let publishedAt: number | null;
      if (a.published === false) publishedAt = null;
      else if (a.published_at !== undefined) publishedAt = a.published_at;
      else if (current === undefined) publishedAt = now;
      else publishedAt = a.published === true ? (current ?? now) : current;
      return {
        fields: { title: a.title, excerpt: a.excerpt, body: a.body_html, author: a.author },
        publication: { published_at: publishedAt },
      };
    },
    now,
    logs.articles,
    dryRun,
  );
  await upsert(
    trx,
    TABLE.products,
    existing.products,
    data.products,
    (p: ProductIn, row) => ({
      fields: {
        name: p.name,
        description: p.description,
        price: p.price,
        // Stock is the shop's to count: a file without it keeps what the shop has.
        stock: p.stock ?? (row?.stock as number | undefined) ?? 0,
        category_id: categoryIds.get(p.category) ?? dbCategories.get(p.category)!,
      },
      publication: { unpublished_at: unpublishedAt(p.published, row, now) },
    }),
    now,
    logs.products,
    dryRun,
  );

  const counts: Record<string, number> = {};
  const count = (name: string, n: number, present: boolean) => {
    if (present) counts[name] = n;
  };
  const has = (e: Entity) => data[e].length > 0;
  count('specialities', data.specialities.length, has('specialities'));
  count('hospitals', data.hospitals.length, has('hospitals'));
  count('doctors', data.doctors.length, has('doctors'));
  count('practices', practices, has('doctors'));
  count('articles', data.articles.length, has('articles'));
  count('categories', data.categories.length, has('categories'));
  count('products', data.products.length, has('products'));
  return { counts, changes: summarize(logs) };
}

function problemsOf(records: readonly SourceRecord[]): ImportProblem[] {
  return records
    .filter((r) => r.problems.length > 0)
    .sort((a, b) => a.line - b.line)
    .map((r) => {
      const slug =
        isObject(r.raw) && typeof r.raw.slug === 'string' && SLUG.test(r.raw.slug.trim()) ? r.raw.slug.trim() : '';
      const label = slug !== '' ? `${SINGULAR[r.entity]} "${slug}"` : `${r.entity} record ${r.index}`;
      return { line: r.line, message: `${label}: ${r.problems.join('; ')}` };
    });
}

import type { Db } from '../../db/index.js';
import { sql } from 'kysely';

/** What a doctor list is narrowed by. `scope` is the app key's hospital slugs (null: all). */
export interface DoctorFilter {
  scope: string[] | null;
  name?: string;
  speciality?: string;
  hospital?: string;
}

/** Escapes LIKE wildcards, so a search for "50%" finds "50%", not everything. */
const likeContains = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Ids of the doctors a patient may see, in list order (name, then id): published, with at
 * least one published practice at a published hospital inside the scope (and the hospital
 * filter), of the speciality asked for.
 */
export async function listDoctorIds(db: Db, filter: DoctorFilter): Promise<string[]> {
  let q = db
    .selectFrom('doctors')
    .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
    .select('doctors.id')
    .where('doctors.unpublished_at', 'is', null)
    .where('specialities.unpublished_at', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('practices')
          .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
          .select('practices.id')
          .whereRef('practices.doctor_id', '=', 'doctors.id')
          .where('practices.unpublished_at', 'is', null)
          .where('hospitals.unpublished_at', 'is', null)
          .$if(filter.scope !== null, (s) =>
            s.where('hospitals.slug', 'in', filter.scope!.length ? filter.scope! : ['']),
          )
          .$if(filter.hospital !== undefined, (s) => s.where('hospitals.slug', '=', filter.hospital!)),
      ),
    );
  if (filter.speciality !== undefined) q = q.where('specialities.slug', '=', filter.speciality);
  if (filter.name !== undefined) {
    // SQLite has no default LIKE escape character; name one for both databases.
    q = q.where(sql<boolean>`doctors.name_search like ${likeContains(filter.name)} escape '\\'`);
  }
  const rows = await q.orderBy('doctors.name').orderBy('doctors.id').execute();
  return rows.map((r) => r.id);
}

/** A doctor patients may see: published, of a published speciality (practices are checked after). */
export const doctorBySlug = (db: Db, slug: string) =>
  db
    .selectFrom('doctors')
    .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
    .select('doctors.id')
    .where('doctors.slug', '=', slug)
    .where('doctors.unpublished_at', 'is', null)
    .where('specialities.unpublished_at', 'is', null)
    .executeTakeFirst();

export const doctorsByIds = (db: Db, ids: readonly string[]) =>
  db
    .selectFrom('doctors')
    .innerJoin('specialities', 'specialities.id', 'doctors.speciality_id')
    .select([
      'doctors.id',
      'doctors.slug',
      'doctors.username',
      'doctors.name',
      'doctors.about',
      'doctors.experience_years',
      'doctors.image_id',
      'specialities.name as speciality_name',
      'specialities.slug as speciality_slug',
    ])
    .where('doctors.id', 'in', ids.length ? [...ids] : [''])
    .execute();

/** Visible practices of these doctors, with their hospitals, inside the scope. */
export const practicesOfDoctors = (db: Db, doctorIds: readonly string[], scope: string[] | null) =>
  db
    .selectFrom('practices')
    .innerJoin('hospitals', 'hospitals.id', 'practices.hospital_id')
    .select([
      'practices.id',
      'practices.doctor_id',
      'practices.call_price',
      'practices.reservasi_price',
      'hospitals.name as hospital_name',
      'hospitals.slug as hospital_slug',
      'hospitals.city as hospital_city',
      'hospitals.timezone as hospital_timezone',
    ])
    .where('practices.doctor_id', 'in', doctorIds.length ? [...doctorIds] : [''])
    .where('practices.unpublished_at', 'is', null)
    .where('hospitals.unpublished_at', 'is', null)
    .$if(scope !== null, (s) => s.where('hospitals.slug', 'in', scope!.length ? scope! : ['']))
    .orderBy('hospitals.name')
    .orderBy('practices.id')
    .execute();

export const listSpecialities = (db: Db) =>
  db
    .selectFrom('specialities')
    .select(['id', 'slug', 'name', 'description'])
    .where('unpublished_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();

export const listHospitals = (db: Db, scope: string[] | null) =>
  db
    .selectFrom('hospitals')
    .select(['id', 'slug', 'name', 'address', 'city', 'province', 'timezone', 'phone', 'description', 'image_id'])
    .where('unpublished_at', 'is', null)
    .$if(scope !== null, (s) => s.where('slug', 'in', scope!.length ? scope! : ['']))
    .orderBy('name')
    .orderBy('id')
    .execute();

export const listArticles = (db: Db) =>
  db
    .selectFrom('articles')
    .select(['id', 'slug', 'title', 'excerpt', 'author', 'image_id', 'published_at'])
    .where('published_at', 'is not', null)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

export const articleBySlug = (db: Db, slug: string) =>
  db
    .selectFrom('articles')
    .selectAll()
    .where('slug', '=', slug)
    .where('published_at', 'is not', null)
    .executeTakeFirst();

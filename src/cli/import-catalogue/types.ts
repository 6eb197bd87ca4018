import type { Db } from '../../db/index.js';

/*
 * The file formats (docs/catalogue.md documents them for operators):
 *
 * JSON: one object with any of the arrays `specialities`, `hospitals`, `doctors`, `articles`,
 * `categories`, `products`; each record an object with the fields of FIELDS below.
 * CSV: one entity per file, named by the last word of the file name (doctors.csv,
 * rs-harapan-doctors.csv), a header row naming the columns (any order), one record per row.
 *
 * Everything is checked before anything is written; the writes then run in one transaction.
 */

export const ENTITIES = ['specialities', 'hospitals', 'doctors', 'articles', 'categories', 'products'] as const;
export type Entity = (typeof ENTITIES)[number];
/** The entities of a catalogue file, in the order they are written. */
export const CATALOGUE_ENTITIES: readonly Entity[] = ENTITIES;
export type CatalogueEntity = Entity;

/** The fields of each entity's records (a CSV header names some of them). */
export const FIELDS: Record<Entity, readonly string[]> = {
  specialities: ['slug', 'name', 'description', 'published'],
  hospitals: ['slug', 'name', 'city', 'timezone', 'address', 'province', 'phone', 'description', 'published'],
  doctors: ['slug', 'username', 'name', 'speciality', 'about', 'experience_years', 'practices', 'published'],
  articles: ['slug', 'title', 'body', 'excerpt', 'author', 'published_at', 'published'],
  categories: ['slug', 'name', 'description', 'published'],
  products: ['slug', 'name', 'category', 'price', 'stock', 'description', 'published'],
};

/** What an import changes (or, in a dry run, would change) in one entity, by slug in file order. */
export interface EntityChanges {
  /** Slugs not in the database yet. */
  create: string[];
  /** Slugs in the database whose stored values differ from the file's. */
  update: string[];
  /** How many records of the file match the database already. */
  unchanged: number;
  /** For each slug of `update`, the fields of the file that differ (doctors: "practices" too). */
  fields: Record<string, string[]>;
}

export type CatalogueChanges = Record<Entity, EntityChanges>;

/** The records of the file per entity (and the doctors' practices), for the entities it holds. */
export type CatalogueCounts = Record<string, number>;

export interface CatalogueImportSummary {
  counts: CatalogueCounts;
  changes: CatalogueChanges;
}

export type CatalogueImportResult =
  ({ ok: true; dryRun: boolean } & CatalogueImportSummary) | { ok: false; errors: ImportProblem[] };

/** One problem of an import: its line in the file (0 when it concerns the file as a whole). */
export interface ImportProblem {
  line: number;
  message: string;
  /** Set when the problem is the file's name (its extension, or a CSV name naming no entity). */
  about?: 'name';
}

export interface CatalogueFile {
  /** The file's name (a path will do): its extension says JSON or CSV, a CSV's last word its entity. */
  name: string;
  /** Its text, already decoded. */
  text: string;
}

export interface CatalogueImportOptions {
  /** Check everything and say what would change, writing nothing. */
  dryRun?: boolean;
  now?: () => number;
  /** Runs in the import's transaction once everything is written (not in a dry run): an audit entry. */
  onWritten?: (trx: Db, summary: CatalogueImportSummary) => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Records as read from the file, then as checked

export interface SourceRecord {
  entity: Entity;
  /** 1-based position in its array (JSON) or among the data rows (CSV). */
  index: number;
  line: number;
  raw: unknown;
  problems: string[];
}

export interface Base {
  src: SourceRecord;
  slug: string;
  /** Absent: kept as it is for an existing record, published for a new one. */
  published: boolean | undefined;
}
export interface PracticeIn {
  hospital: string;
  call_price: number | null;
  reservasi_price: number | null;
}
export interface SpecialityIn extends Base {
  name: string;
  description: string | null;
}
export interface HospitalIn extends Base {
  name: string;
  city: string;
  timezone: string;
  address: string | null;
  province: string | null;
  phone: string | null;
  description: string | null;
}
export interface DoctorIn extends Base {
  username: string;
  name: string;
  speciality: string;
  about: string | null;
  experience_years: number;
  practices: PracticeIn[];
}
export interface ArticleIn extends Base {
  title: string;
  body_html: string;
  excerpt: string | null;
  author: string | null;
  published_at: number | undefined;
}
export type CategoryIn = SpecialityIn;
export interface ProductIn extends Base {
  name: string;
  category: string;
  price: number;
  stock: number | undefined;
  description: string | null;
}

export interface Checked {
  specialities: SpecialityIn[];
  hospitals: HospitalIn[];
  doctors: DoctorIn[];
  articles: ArticleIn[];
  categories: CategoryIn[];
  products: ProductIn[];
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

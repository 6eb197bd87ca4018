import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION } from './catalogue.service.js';
import { insertRows, newCatalogueRow } from './catalogue-writer.js';
import {
  ABOUT_CLOSINGS,
  ARTICLE_TOPICS,
  FAMILY_NAMES,
  FEMALE_FIRST,
  FEMALE_LAST,
  HOSPITAL_SERVICES,
  HOSPITALS,
  MALE_FIRST,
  MALE_LAST,
  PRACTICE_DAYS,
  PRACTICE_HOURS,
  PRODUCT_CATEGORIES,
  SPECIALITIES,
  UNIVERSITIES,
  type ArticleTopic,
  type SpecialitySeed,
} from './seed-data.js';

export interface SeedOptions {
  /** How many doctors (default 300); benchmarks ask for 10,000. */
  doctors?: number;
}

export interface SeedResult {
  specialities: number;
  hospitals: number;
  doctors: number;
  practices: number;
  /** Weekly schedule rules, of every practice. */
  schedule_rules: number;
  articles: number;
  categories: number;
  products: number;
}

export const DEFAULT_DOCTORS = 300;
export const MAX_DOCTORS = 1_000_000;

/** created_at/updated_at of every seeded row: fixed, so every run writes the same rows. */
export const SEED_TIME = Date.UTC(2026, 0, 5, 1, 0, 0);
/** The newest article's publication time; older ones go back from it. */
const FIRST_PUBLISHED = Date.UTC(2026, 0, 4, 2, 0, 0);
const HOUR = 3_600_000;

/** The namespace of the seeded rows' UUIDs (version 5, so the same name gives the same id). */
const ID_NAMESPACE = Buffer.from('6f1d2c3a8e4b4c5d9a7e0b1c2d3e4f50', 'hex');

/** A deterministic RFC 4122 version-5 UUID for a seeded row: the same kind and key, the same id. */
export function seedId(kind: string, key: string): string {
  const h = createHash('sha1').update(ID_NAMESPACE).update(`${kind}/${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** 32-bit FNV-1a of a text: the seed of one row's random numbers. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

type Rng = () => number;

/**
 * A small seeded generator of numbers in [0, 1): a Weyl sequence passed through the
 * MurmurHash3 finaliser. Each row has its own, so a doctor is the same whatever the total.
 */
export function seededRandom(seed: number | string): Rng {
  let state = typeof seed === 'number' ? seed >>> 0 : seedOf(seed);
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const between = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function shuffled<T>(r: Rng, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** "a", "a dan b", "a, b, dan c". */
function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')}${items.length > 2 ? ',' : ''} dan ${items[items.length - 1]}`;
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const roundTo5000 = (n: number): number => Math.round(n / 5000) * 5000;

const stamps = { unpublished_at: null, created_at: SEED_TIME, updated_at: SEED_TIME };
/** Every seeded row is written at SEED_TIME, published. */
const seeded = { now: SEED_TIME };

function specialityRows(): Insertable<Database['specialities']>[] {
  return SPECIALITIES.map((s) =>
    newCatalogueRow(
      'specialities',
      seedId('speciality', s.slug),
      { slug: s.slug, name: s.name, description: s.description },
      seeded,
    ),
  );
}

type HospitalRow = Insertable<Database['hospitals']> & { id: string; name: string; timezone: string };

function hospitalRows(): HospitalRow[] {
  return HOSPITALS.map((h) => {
    const slug = slugify(h.name);
    const r = seededRandom(`hospital:${slug}`);
    const digits = h.areaCode.length === 3 ? 8 : 6;
    let number = String(between(r, 2, 8));
    while (number.length < digits) number += String(between(r, 0, 9));
    const services = shuffled(r, HOSPITAL_SERVICES).slice(0, 4);
    const fields = {
      slug,
      name: h.name,
      address: h.address,
      city: h.city,
      province: h.province,
      timezone: h.timezone,
      phone: `(${h.areaCode}) ${number}`,
      description: `${h.name} adalah rumah sakit umum swasta di ${h.city}, ${h.province}, dengan layanan ${joinList(services)}.`,
    };
    return {
      ...newCatalogueRow('hospitals', seedId('hospital', slug), fields, seeded),
      name: h.name,
      timezone: h.timezone,
    };
  });
}

interface PersonName {
  /** Without titles: "Budi Santoso". */
  base: string;
  /** As patients read it: "dr. Budi Santoso, Sp.A". */
  full: string;
}

function personName(r: Rng, speciality: SpecialitySeed): PersonName {
  const female = r() < 0.5;
  const firsts = female ? FEMALE_FIRST : MALE_FIRST;
  const first = pick(r, firsts);
  const middle = r() < 0.35 ? pick(r, firsts) : undefined;
  const last = r() < 0.5 ? pick(r, FAMILY_NAMES) : pick(r, female ? FEMALE_LAST : MALE_LAST);
  const base = [first, middle !== first ? middle : undefined, last].filter(Boolean).join(' ');
  return { base, full: `${speciality.prefix} ${base}${speciality.title ? `, ${speciality.title}` : ''}` };
}

const TOTAL_WEIGHT = SPECIALITIES.reduce((sum, s) => sum + s.weight, 0);

function weightedSpeciality(r: Rng): SpecialitySeed {
  let x = r() * TOTAL_WEIGHT;
  for (const s of SPECIALITIES) {
    x -= s.weight;
    if (x < 0) return s;
  }
  return SPECIALITIES[SPECIALITIES.length - 1]!;
}

/** Prices in whole rupiah, multiples of 5,000; at least one type offered. */
function practicePrices(
  r: Rng,
  speciality: SpecialitySeed,
): { call_price: number | null; reservasi_price: number | null } {
  const [lo, hi] = speciality.price;
  const reservasi = roundTo5000(lo + r() * (hi - lo));
  const call = Math.max(50_000, roundTo5000(reservasi * (0.6 + r() * 0.3)));
  const offer = r();
  if (offer < 0.6) return { call_price: call, reservasi_price: reservasi };
  if (offer < 0.8) return { call_price: null, reservasi_price: reservasi };
  return { call_price: call, reservasi_price: null };
}

type DoctorRow = Insertable<Database['doctors']>;
type PracticeRow = Insertable<Database['practices']>;
type RuleRow = Insertable<Database['schedule_rules']>;
/** A weekly rule before its practice has an id. */
type RuleTemplate = Omit<RuleRow, 'practice_id'>;

/**
 * The weekly rules of a doctor's `nth` practice (from 0): its days (PRACTICE_DAYS, so the
 * doctor's practices never share a day), mornings for in-person visits and afternoons for
 * video calls, each only where the practice offers that type.
 */
function practiceRules(doctorIndex: number, nth: number, practice: PracticeRow): RuleTemplate[] {
  const r = seededRandom(`schedule:${doctorIndex}:${nth}`);
  // One hash a practice, not one a rule: each rule's id is the practice's with its own last byte.
  const base = seedId('schedule', `${doctorIndex}/${nth}`).slice(0, -2);
  const rules: RuleTemplate[] = [];
  for (const [typeIndex, type] of (['reservasi', 'call'] as const).entries()) {
    const [start, end] = pick(r, PRACTICE_HOURS[type].hours);
    if ((type === 'call' ? practice.call_price : practice.reservasi_price) === null) continue;
    for (const weekday of PRACTICE_DAYS[nth] ?? []) {
      rules.push({
        id: base + (weekday * 2 + typeIndex).toString(16).padStart(2, '0'),
        weekday,
        start_time: start,
        end_time: end,
        slot_minutes: PRACTICE_HOURS[type].slotMinutes,
        appointment_type: type,
        created_at: SEED_TIME,
        updated_at: SEED_TIME,
      });
    }
  }
  return rules;
}

/**
 * Doctor number `index` (from 0) and its 1 to 3 practices. Its random numbers come from its
 * own generator; only the name check looks at earlier doctors, so the first N doctors are the
 * same whatever the total.
 */
function makeDoctor(
  index: number,
  hospitals: readonly HospitalRow[],
  usedNames: Set<string>,
): { doctor: DoctorRow; practices: PracticeRow[]; rules: RuleTemplate[][] } {
  const r = seededRandom(`doctor:${index}`);
  // Every speciality and every hospital has a doctor as soon as there are enough doctors.
  const speciality = index < SPECIALITIES.length ? SPECIALITIES[index]! : weightedSpeciality(r);
  let name = personName(r, speciality);
  for (let attempt = 0; attempt < 30 && usedNames.has(name.base); attempt++) name = personName(r, speciality);
  usedNames.add(name.base);

  const home = hospitals[index % hospitals.length]!;
  const places = [home];
  const count = ((x) => (x < 0.45 ? 1 : x < 0.8 ? 2 : 3))(r());
  while (places.length < count) {
    // Mostly in the same time zone as the home hospital.
    const sameZone = r() < 0.75;
    const candidates = hospitals.filter((h) => !places.includes(h) && (!sameZone || h.timezone === home.timezone));
    if (candidates.length === 0) continue;
    places.push(pick(r, candidates));
  }

  const specialist = speciality.title !== null;
  const years = specialist ? between(r, 5, 35) : between(r, 2, 25);
  const focus = shuffled(r, speciality.focus).slice(0, 3);
  const about = [
    `${name.full} adalah ${speciality.role} lulusan ${pick(r, UNIVERSITIES)} dengan pengalaman praktik ${years} tahun.`,
    `Berpengalaman menangani ${joinList(focus)}.`,
    `Praktik di ${joinList(places.map((h) => h.name))}.`,
    pick(r, ABOUT_CLOSINGS),
  ].join(' ');

  const id = seedId('doctor', String(index));
  const number = index + 1;
  const practices: PracticeRow[] = places.map((h) => ({
    doctor_id: id,
    hospital_id: h.id,
    ...practicePrices(r, speciality),
    ...stamps,
  }));
  return {
    doctor: newCatalogueRow(
      'doctors',
      id,
      {
        slug: `${slugify(name.full)}-${number}`,
        username: `${name.base.toLowerCase().replace(/[^a-z]/g, '')}${number}`,
        name: name.full,
        speciality_id: seedId('speciality', speciality.slug),
        about,
        experience_years: years,
      },
      seeded,
    ),
    practices,
    rules: practices.map((p, nth) => practiceRules(index, nth, p)),
  };
}

const ARTICLE_KINDS = [0, 1, 2] as const;
type ArticleKind = (typeof ARTICLE_KINDS)[number];

function roleOf(topic: ArticleTopic): SpecialitySeed {
  const s = SPECIALITIES.find((x) => x.slug === topic.speciality);
  if (s === undefined) throw new Error(`article topic ${topic.name}: no speciality ${topic.speciality}`);
  return s;
}

const li = (items: readonly string[]) => items.map((x) => `<li>${escapeHtml(x)}</li>`).join('');
const p = (text: string) => `<p>${escapeHtml(text)}</p>`;

function articleContent(topic: ArticleTopic, kind: ArticleKind): { title: string; html: string } {
  const doctor = roleOf(topic).role;
  const see = `<p>Konsultasikan keluhan Anda dengan <strong>${escapeHtml(doctor)}</strong> melalui panggilan video atau kunjungan langsung ke rumah sakit.</p>`;
  const note =
    '<blockquote>Artikel ini berisi informasi umum dan tidak menggantikan pemeriksaan oleh dokter.</blockquote>';
  switch (kind) {
    case 0:
      return {
        title: `Mengenal ${topic.name}: Gejala, Penyebab, dan Penanganannya`,
        html: [
          p(topic.about),
          '<h2>Gejala yang perlu dikenali</h2>',
          `<ul>${li(topic.symptoms)}</ul>`,
          '<h2>Penyebab dan faktor risiko</h2>',
          p(topic.causes),
          '<h2>Penanganan</h2>',
          p(topic.treatment),
          see,
          note,
        ].join('\n'),
      };
    case 1:
      return {
        title: `${topic.prevention.length} Cara Mencegah ${topic.name} yang Bisa Dimulai dari Rumah`,
        html: [
          p(topic.about),
          p(`Kabar baiknya, risiko ${topic.name.toLowerCase()} dapat dikurangi dengan langkah sederhana berikut.`),
          `<ol>${li(topic.prevention)}</ol>`,
          '<h2>Kapan perlu ke dokter?</h2>',
          p('Segera periksakan diri bila muncul tanda-tanda berikut:'),
          `<ul>${li(topic.warnings)}</ul>`,
          see,
        ].join('\n'),
      };
    case 2:
      return {
        title: `${topic.name}: Kapan Harus Segera ke Dokter?`,
        html: [
          p(topic.about),
          p('Sebagian keluhan dapat dipantau di rumah, tetapi tanda-tanda berikut perlu segera diperiksakan:'),
          `<ul>${li(topic.warnings)}</ul>`,
          '<h2>Gejala yang umum</h2>',
          `<ul>${li(topic.symptoms)}</ul>`,
          '<h2>Apa yang dilakukan dokter?</h2>',
          p(topic.treatment),
          see,
          note,
        ].join('\n'),
      };
  }
}

/** 60 articles: three for each topic, newest first; every tenth (from the eighth) is a draft. */
function articleRows(): Insertable<Database['articles']>[] {
  const r = seededRandom('articles');
  const plan = shuffled(
    r,
    ARTICLE_TOPICS.flatMap((topic) => ARTICLE_KINDS.map((kind) => ({ topic, kind }))),
  );
  return plan.map(({ topic, kind }, n) => {
    const { title, html } = articleContent(topic, kind);
    const slug = slugify(title);
    const author =
      kind === 1 ? 'Tim Redaksi Cexup' : personName(seededRandom(`author:${topic.name}`), roleOf(topic)).full;
    const draft = n % 10 === 7;
    const publishedAt = FIRST_PUBLISHED - n * 37 * HOUR - between(r, 0, 120) * 60_000;
    const fields = { slug, title, excerpt: topic.about.split(/(?<=\.)\s/)[0]!, body: html, author };
    return newCatalogueRow(
      'articles',
      seedId('article', slug),
      fields,
      draft
        ? { now: SEED_TIME, published: false }
        : { now: publishedAt, created: publishedAt - 48 * HOUR, publishedAt },
    );
  });
}

function shopRows(): {
  categories: Insertable<Database['product_categories']>[];
  products: Insertable<Database['products']>[];
} {
  const categories = PRODUCT_CATEGORIES.map((c) =>
    newCatalogueRow(
      'product_categories',
      seedId('product-category', c.slug),
      { slug: c.slug, name: c.name, description: c.description },
      seeded,
    ),
  );
  const products = PRODUCT_CATEGORIES.flatMap((c) =>
    c.products.map(([name, price]) => {
      const slug = slugify(name);
      const r = seededRandom(`product:${slug}`);
      const fields = {
        slug,
        name,
        description: `${name}. ${c.description} Baca aturan pakai pada kemasan dan simpan di tempat sejuk dan kering, jauh dari jangkauan anak-anak.`,
        price,
        stock: r() < 0.06 ? 0 : between(r, 5, 300),
        category_id: seedId('product-category', c.slug),
      };
      return newCatalogueRow('products', seedId('product', slug), fields, seeded);
    }),
  );
  return { categories, products };
}

/** Practices per insert: well under both databases' parameter limits at seven columns. */
const PRACTICE_BATCH = 500;

/** Practices written in batches, with the ids the database gave them (by doctor and hospital). */
async function insertPractices(db: Db, rows: readonly PracticeRow[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < rows.length; i += PRACTICE_BATCH) {
    const inserted = await db
      .insertInto('practices')
      .values(rows.slice(i, i + PRACTICE_BATCH))
      .returning(['id', 'doctor_id', 'hospital_id'])
      .execute();
    for (const p of inserted) ids.set(`${p.doctor_id}@${p.hospital_id}`, Number(p.id));
  }
  return ids;
}

/** Doctors are generated and written this many at a time, so 100,000 need little memory. */
const DOCTOR_CHUNK = 1000;

/** The tables the demo catalogue fills (practices go with doctors). */
const CATALOGUE_TABLES = [
  'doctors',
  'hospitals',
  'specialities',
  'articles',
  'product_categories',
  'products',
] as const;

/** True when no catalogue table has a row. */
export async function catalogueIsEmpty(db: Db): Promise<boolean> {
  for (const table of CATALOGUE_TABLES) {
    if ((await db.selectFrom(table).select('id').limit(1).executeTakeFirst()) !== undefined) return false;
  }
  return true;
}

function checkedDoctorCount(options: SeedOptions): number {
  const count = options.doctors ?? DEFAULT_DOCTORS;
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_DOCTORS) {
    throw new RangeError(`doctors must be a whole number from 0 to ${MAX_DOCTORS}`);
  }
  return count;
}

/** Thrown inside the transaction to roll it back when the catalogue is not empty after all. */
class CatalogueNotEmpty extends Error {}

async function seed(db: Db, doctorCount: number, onlyIfEmpty: boolean): Promise<SeedResult> {
  const specialities = specialityRows();
  const hospitals = hospitalRows();
  const articles = articleRows();
  const { categories, products } = shopRows();

  return db.transaction().execute(async (trx) => {
    // First, so that seeds racing each other take turns (the version row is locked, or on
    // SQLite the write lock is taken) and each one sees what the one before it wrote.
    await VersionedCache.bump(trx, CATALOGUE_VERSION);
    if (onlyIfEmpty && !(await catalogueIsEmpty(trx))) throw new CatalogueNotEmpty();

    // Children before parents; doctors.user_id points at users, which stay. Orders point at
    // practices: a demo reseed takes the demo's orders with it (holds and history cascade).
    for (const table of [
      'orders',
      'schedule_exceptions',
      'schedule_rules',
      'practices',
      'doctors',
      'hospitals',
      'specialities',
      'products',
      'product_categories',
      'articles',
    ] as const) {
      await trx.deleteFrom(table).execute();
    }

    await insertRows(trx, 'specialities', specialities);
    await insertRows(trx, 'hospitals', hospitals);

    let practiceCount = 0;
    let ruleCount = 0;
    const usedNames = new Set<string>();
    for (let start = 0; start < doctorCount; start += DOCTOR_CHUNK) {
      const doctors: DoctorRow[] = [];
      const practices: PracticeRow[] = [];
      const templates: { practice: PracticeRow; rules: RuleTemplate[] }[] = [];
      for (let i = start; i < Math.min(doctorCount, start + DOCTOR_CHUNK); i++) {
        const made = makeDoctor(i, hospitals, usedNames);
        doctors.push(made.doctor);
        practices.push(...made.practices);
        made.practices.forEach((practice, nth) => templates.push({ practice, rules: made.rules[nth]! }));
      }
      await insertRows(trx, 'doctors', doctors);
      const ids = await insertPractices(trx, practices);
      const rules: RuleRow[] = templates.flatMap(({ practice, rules: list }) => {
        const practiceId = ids.get(`${practice.doctor_id}@${practice.hospital_id}`)!;
        return list.map((rule) => ({ ...rule, practice_id: practiceId }));
      });
      await insertRows(trx, 'schedule_rules', rules);
      practiceCount += practices.length;
      ruleCount += rules.length;
    }

    await insertRows(trx, 'articles', articles);
    await insertRows(trx, 'product_categories', categories);
    await insertRows(trx, 'products', products);

    return {
      specialities: specialities.length,
      hospitals: hospitals.length,
      doctors: doctorCount,
      practices: practiceCount,
      schedule_rules: ruleCount,
      articles: articles.length,
      categories: categories.length,
      products: products.length,
    };
  });
}

/**
 * Replaces the catalogue (specialities, hospitals, doctors and their practices with their
 * weekly schedules, articles, the shop) with the deterministic demo catalogue, in one
 * transaction, and marks the catalogue changed for every process. Orders and schedule
 * exceptions of the old practices go with them. Users (doctors' login accounts among them) stay; practice ids
 * are made anew by the database and never reused.
 */
export async function seedCatalogue(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  return seed(db, checkedDoctorCount(options), false);
}

/**
 * The demo catalogue, only when every catalogue table is empty (checked inside the
 * transaction, so two starts at once seed it once); null when there was a catalogue.
 */
export async function seedCatalogueIfEmpty(db: Db, options: SeedOptions = {}): Promise<SeedResult | null> {
  const doctorCount = checkedDoctorCount(options);
  if (!(await catalogueIsEmpty(db))) return null;
  try {
    return await seed(db, doctorCount, true);
  } catch (err) {
    if (err instanceof CatalogueNotEmpty) return null;
    throw err;
  }
}

import type { Db } from '../src/db/index.js';
import { VersionedCache } from '../src/lib/cache.js';
import { CATALOGUE_VERSION } from '../src/modules/catalogue/catalogue.service.js';
import { newId } from '../src/security/tokens.js';
import { systemClock } from '../src/clock.js';

/** A small catalogue with known names, written straight to the database, for read tests. */
export interface Fixture {
  prefix: string;
  specialities: Record<'anak' | 'jantung', string>;
  hospitals: Record<'jakarta' | 'makassar' | 'jayapura' | 'closed', string>;
  doctors: Record<'andi' | 'budi' | 'citra' | 'dewi' | 'hidden' | 'closedOnly', string>;
  practiceIds: Record<string, number>;
}

export async function insertCatalogue(db: Db, prefix: string): Promise<Fixture> {
  const now = systemClock();
  const ts = { created_at: now, updated_at: now };
  const slug = (s: string) => `${prefix}-${s}`;
  const spec = (key: string, name: string) => ({
    id: newId(),
    slug: slug(key),
    name,
    description: null,
    unpublished_at: null,
    ...ts,
  });
  const anak = spec('anak', `${prefix} Anak`);
  const jantung = spec('jantung', `${prefix} Jantung`);
  await db.insertInto('specialities').values([anak, jantung]).execute();

  const hospital = (key: string, name: string, city: string, timezone: string, unpublished = false) => ({
    id: newId(),
    slug: slug(key),
    name,
    address: `Jl. ${city} 1`,
    city,
    province: null,
    timezone,
    phone: null,
    description: null,
    image_id: null,
    unpublished_at: unpublished ? now : null,
    ...ts,
  });
  const hospitals = {
    jakarta: hospital('jakarta', `${prefix} RS Harapan Jakarta`, 'Jakarta', 'Asia/Jakarta'),
    makassar: hospital('makassar', `${prefix} RS Sehat Makassar`, 'Makassar', 'Asia/Makassar'),
    jayapura: hospital('jayapura', `${prefix} RS Cenderawasih Jayapura`, 'Jayapura', 'Asia/Jayapura'),
    closed: hospital('closed', `${prefix} RS Tutup`, 'Bogor', 'Asia/Jakarta', true),
  };
  await db.insertInto('hospitals').values(Object.values(hospitals)).execute();

  const doctor = (key: string, name: string, specialityId: string, unpublished = false) => ({
    id: newId(),
    slug: slug(key),
    username: `${prefix}${key.replace(/[^a-z]/gi, '')}`,
    name,
    name_search: name.toLowerCase(),
    speciality_id: specialityId,
    about: `Tentang ${name}`,
    experience_years: 7,
    image_id: null,
    user_id: null,
    unpublished_at: unpublished ? now : null,
    ...ts,
  });
  const doctors = {
    andi: doctor('andi', `${prefix} dr. Andi Wijaya, Sp.A`, anak.id),
    budi: doctor('budi', `${prefix} dr. Budi 100% Sehat, Sp.JP`, jantung.id),
    citra: doctor('citra', `${prefix} dr. Citra Lestari, Sp.A`, anak.id),
    dewi: doctor('dewi', `${prefix} dr. Dewi Anggraini, Sp.JP`, jantung.id),
    hidden: doctor('hidden', `${prefix} dr. Hidden, Sp.A`, anak.id, true),
    closedOnly: doctor('closedonly', `${prefix} dr. Eko Tutup, Sp.A`, anak.id),
  };
  await db.insertInto('doctors').values(Object.values(doctors)).execute();

  const practice = (d: { id: string }, h: { id: string }, call: number | null, reservasi: number | null) => ({
    doctor_id: d.id,
    hospital_id: h.id,
    call_price: call,
    reservasi_price: reservasi,
    unpublished_at: null,
    ...ts,
  });
  const rows = await db
    .insertInto('practices')
    .values([
      practice(doctors.andi, hospitals.jakarta, 150000, 250000),
      practice(doctors.andi, hospitals.makassar, null, 200000),
      practice(doctors.budi, hospitals.makassar, 100000, null),
      practice(doctors.citra, hospitals.jayapura, 120000, 180000),
      practice(doctors.dewi, hospitals.jakarta, 175000, 300000),
      practice(doctors.hidden, hospitals.jakarta, 100000, 100000),
      practice(doctors.closedOnly, hospitals.closed, 100000, 100000),
    ])
    .returning(['id', 'doctor_id', 'hospital_id'])
    .execute();
  const practiceIds: Record<string, number> = {};
  const doctorKey = (id: string) => Object.entries(doctors).find(([, d]) => d.id === id)![0];
  const hospitalKey = (id: string) => Object.entries(hospitals).find(([, h]) => h.id === id)![0];
  for (const r of rows) practiceIds[`${doctorKey(r.doctor_id)}@${hospitalKey(r.hospital_id)}`] = r.id;

  const article = (key: string, title: string, publishedAt: number | null) => ({
    id: newId(),
    slug: slug(key),
    title,
    excerpt: `Ringkasan ${title}`,
    body_html: `<p>Isi ${title}</p>`,
    author: 'Tim Cexup',
    image_id: null,
    published_at: publishedAt,
    ...ts,
  });
  await db
    .insertInto('articles')
    .values([
      article('lama', `${prefix} Artikel Lama`, now - 3 * 86_400_000),
      article('baru', `${prefix} Artikel Baru`, now - 86_400_000),
      article('draf', `${prefix} Artikel Draf`, null),
    ])
    .execute();
  await VersionedCache.bump(db, CATALOGUE_VERSION);

  const id = (o: Record<string, { id: string }>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.id]));
  return {
    prefix,
    specialities: { anak: anak.id, jantung: jantung.id },
    hospitals: id(hospitals) as Fixture['hospitals'],
    doctors: id(doctors) as Fixture['doctors'],
    practiceIds,
  };
}

/** One weekly schedule rule of a practice, written straight to the database. */
export function insertRule(
  db: Db,
  practiceId: number,
  rule: {
    weekday: number;
    start_time: string;
    end_time: string;
    slot_minutes: number;
    appointment_type: 'call' | 'reservasi';
  },
) {
  const now = systemClock();
  return db
    .insertInto('schedule_rules')
    .values({ id: newId(), practice_id: practiceId, ...rule, created_at: now, updated_at: now })
    .execute();
}

/**
 * Opens Dr Andi's Jakarta practice for visits (`reservasi`, 30-minute slots) from 09:00 to `end`
 * on the given ISO weekdays (Wednesday unless told); answers the practice's id.
 */
export async function openAndiForVisits(db: Db, fx: Fixture, end = '10:00', weekdays = [3]): Promise<number> {
  const practice = fx.practiceIds['andi@jakarta']!;
  for (const weekday of weekdays) {
    await insertRule(db, practice, {
      weekday,
      start_time: '09:00',
      end_time: end,
      slot_minutes: 30,
      appointment_type: 'reservasi',
    });
  }
  return practice;
}

/** The body a patient books a visit with Dr Andi in Jakarta with: Wednesday 2 December 2026 at 09:00 unless told. */
export function andiVisit(fx: Fixture, overrides: Record<string, unknown> = {}) {
  return {
    id: fx.practiceIds['andi@jakarta']!,
    username_doctor: `${fx.prefix}andi`,
    time: '2026-12-02 09:00',
    type: 'reservasi',
    patient: 'Siti Rahayu',
    price: 250000,
    ...overrides,
  };
}

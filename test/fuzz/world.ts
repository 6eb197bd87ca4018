import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import sharp from 'sharp';
import { buildApp } from '../../src/app.js';
import { createAdmin } from '../../src/modules/admin/index.js';
import { createDoctorLogin } from '../../src/modules/doctors/doctors.service.js';
import { insertCatalogue, insertRule, type Fixture } from '../catalogue-fixture.js';
import { registerPatient, testConfig, testDatabase, uniqueName, type Patient, type TestApp } from '../helpers.js';
import type { Operation } from './requests.js';
import type { Hints } from './values.js';
import { systemClock } from '../../src/clock.js';

/**
 * The records and logins the fuzz suite aims at: a small catalogue for the public routes,
 * another for the back office (whose writes and deletes would otherwise empty the first),
 * orders in several states, an avatar, a product image, schedule rules, a webhook.
 */
export interface World {
  ta: TestApp;
  fx: Fixture;
  adminFx: Fixture;
  patient: Patient;
  other: Patient;
  doctorEmail: string;
  doctorToken: string;
  adminEmail: string;
  adminToken: string;
  /** For operations that end the session or the account they are given: replaced after each success. */
  throwaway: {
    patient: Patient;
    passwordHash: string;
    adminId: string;
    adminToken: string;
    doctorId: string;
    doctorToken: string;
  };
  transactionIds: string[];
  paymentRefs: string[];
  avatarFile: string;
  imageFile: string;
  imageId: string;
  productSlug: string;
  categorySlug: string;
  adminProductSlug: string;
  adminCategorySlug: string;
  ruleId: string;
  exceptionId: string;
  webhookId: string;
  /** An app of its own for the app routes to rotate and revoke: never the fuzzer's own key's. */
  spareAppId: string;
  bookingDate: string;
}

const PASSWORD = 'fuzz-sandi-2026';

/** The rate limits and lockouts, raised so generated requests reach the handlers behind them. */
const FUZZ_ENV = {
  DEMO_MODE: 'true',
  RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
  RATE_LIMIT_REGISTER_PER_HOUR: '100000',
  RATE_LIMIT_CHECK_ID_PER_MINUTE: '100000',
  RATE_LIMIT_PASSWORD_FORGOT_PER_HOUR: '100000',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
  LOGIN_MAX_FAILURES_PER_ACCOUNT_PER_HOUR: '100000',
  PASSWORD_RESET_MAX_PER_HOUR: '1000',
  EMAIL_RESEND_MAX_PER_HOUR: '1000',
  // Keys and the catalogue from caches, as in production: fewer reads a request, a faster run.
  CACHE_TTL_MS: '60000',
  // No background jobs: every answer comes from the request that asked.
  NOTIFY_JOB_INTERVAL_SECONDS: '0',
  JOB_INTERVAL_SECONDS: '0',
  // The world's webhook points at 127.0.0.1 (nothing is ever called: no jobs run).
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
};

/**
 * The app on this file's database, without the contract wrapper of `build()`: the suite needs
 * every answer, also one the document does not describe, to report it.
 */
async function buildRaw(t: TestContext): Promise<TestApp> {
  const { handle, url } = await testDatabase();
  const config = testConfig(FUZZ_ENV, url);
  const app = await buildApp({ config, database: handle });
  t.after(() => app.close());
  const created = await app.services.apps.createApp(`fuzz app ${randomBytes(3).toString('hex')}`);
  return { app, db: handle.db, config, logs: [], apiKey: created.key, appId: created.appId };
}

async function call(
  ta: TestApp,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  token?: string,
  payload?: object,
): Promise<any> {
  const res = await ta.app.inject({
    method,
    url,
    headers: { 'x-api-key': ta.apiKey, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`fuzz setup: ${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json().data;
}

async function login(ta: TestApp, route: string, email: string, password: string): Promise<string> {
  return (await call(ta, 'POST', route, undefined, { email, password })).access_token as string;
}

/** A patient and an admin that may be logged out, have their password changed or be erased. */
export async function freshThrowaway(w: Pick<World, 'ta' | 'fx'>): Promise<World['throwaway']> {
  const email = `${uniqueName('fzadmin')}@cexup.test`;
  const { id } = await createAdmin(w.ta.db, { name: 'Admin Fuzz', email, password: PASSWORD });
  // A doctor that may log out and change its password (Dr Dewi: Dr Andi is the fuzzed doctor).
  const doctorEmail = `${uniqueName('fzdok')}@rs.example.id`;
  const doctor = await createDoctorLogin(w.ta.db, {
    slug: `${w.fx.prefix}-dewi`,
    email: doctorEmail,
    password: PASSWORD,
  });
  const patient = await registerPatient(w.ta, { password: PASSWORD });
  const row = await w.ta.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', patient.userId)
    .executeTakeFirstOrThrow();
  return {
    patient,
    passwordHash: row.password_hash,
    adminId: id,
    adminToken: await login(w.ta, '/api/login/admin', email, PASSWORD),
    doctorId: doctor.userId,
    doctorToken: await login(w.ta, '/api/login/doctor', doctorEmail, PASSWORD),
  };
}

/**
 * After a destructive operation succeeded: a new throwaway patient (made with the known password
 * hash, so no slow hashing), or a new session of the throwaway admin or doctor, with the known
 * password again (a change-password may have set another).
 */
export async function replaceThrowaway(w: World, role: Role): Promise<void> {
  const accounts = w.ta.app.services.accounts;
  if (role === 'admin' || role === 'doctor') {
    const userId = role === 'admin' ? w.throwaway.adminId : w.throwaway.doctorId;
    await w.ta.db
      .updateTable('users')
      .set({ password_hash: w.throwaway.passwordHash })
      .where('id', '=', userId)
      .execute();
    const token = (await accounts.issueToken(userId, w.ta.appId)).access_token;
    if (role === 'admin') w.throwaway.adminToken = token;
    else w.throwaway.doctorToken = token;
    return;
  }
  const username = uniqueName('buang');
  const user = await accounts.createAccount(
    { name: 'Pasien Sekali', address: 'Jl. Fuzz 1', username, email: `${username}@example.id` },
    w.throwaway.passwordHash,
  );
  const token = (await accounts.issueToken(user.id, w.ta.appId)).access_token;
  w.throwaway.patient = { token, userId: user.id, username, email: user.email, password: PASSWORD };
}

/** `YYYY-MM-DD` in Jakarta, `days` from now. */
function jakartaDate(days: number): string {
  return new Date(systemClock() + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

export async function createWorld(t: TestContext): Promise<World> {
  const ta = await buildRaw(t);
  const fx = await insertCatalogue(ta.db, uniqueName('fz').toLowerCase());
  const adminFx = await insertCatalogue(ta.db, uniqueName('fa').toLowerCase());
  for (const f of [fx, adminFx]) {
    for (let weekday = 1; weekday <= 7; weekday++) {
      const andi = f.practiceIds['andi@jakarta']!;
      const dewi = f.practiceIds['dewi@jakarta']!;
      await insertRule(ta.db, andi, {
        weekday,
        start_time: '09:00',
        end_time: '12:00',
        slot_minutes: 30,
        appointment_type: 'call',
      });
      await insertRule(ta.db, dewi, {
        weekday,
        start_time: '13:00',
        end_time: '15:00',
        slot_minutes: 30,
        appointment_type: 'reservasi',
      });
    }
  }
  const patient = await registerPatient(ta, { password: PASSWORD });
  const other = await registerPatient(ta, { password: PASSWORD });

  const doctorEmail = `${uniqueName('dok')}@rs.example.id`;
  await createDoctorLogin(ta.db, { slug: `${fx.prefix}-andi`, email: doctorEmail, password: PASSWORD });
  const doctorToken = await login(ta, '/api/login/doctor', doctorEmail, PASSWORD);
  const adminEmail = `${uniqueName('admin')}@cexup.test`;
  await createAdmin(ta.db, { name: 'Admin Fuzz', email: adminEmail, password: PASSWORD });
  const adminToken = await login(ta, '/api/login/admin', adminEmail, PASSWORD);

  // Orders: one paid (the doctor's actions apply), one waiting for payment (its page works).
  const bookingDate = jakartaDate(2);
  const transactionIds: string[] = [];
  const paymentRefs: string[] = [];
  for (const time of ['09:00', '09:30', '10:00']) {
    const order = await call(ta, 'POST', '/api/doctor/booking', patient.token, {
      id: fx.practiceIds['andi@jakarta'],
      username_doctor: `${fx.prefix}andi`,
      time: `${bookingDate} ${time}`,
      type: 'call',
      patient: 'Siti',
      price: 150000,
      allow_access_data: true,
    });
    transactionIds.push(order.transaction_id);
    paymentRefs.push(new URL(order.payment_url).pathname.split('/')[2]!);
  }
  await ta.app.inject({ method: 'POST', url: `/pay/${paymentRefs[0]}/complete` });

  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  const file = `data:image/png;base64,${png.toString('base64')}`;
  const me = await call(ta, 'POST', '/api/avatar', patient.token, { file, type: 'png' });
  const avatarFile = String(me.thumb).split('/').pop()!;

  const p = adminFx.prefix;
  await call(ta, 'POST', '/api/admin/product-categories', adminToken, { slug: `${p}-herbal`, name: 'Herbal' });
  await call(ta, 'POST', '/api/admin/products', adminToken, {
    slug: `${p}-madu`,
    name: 'Madu',
    price: 85000,
    stock: 12,
    category: `${p}-herbal`,
  });
  await call(ta, 'POST', '/api/admin/product-categories', adminToken, { slug: `${fx.prefix}-herbal`, name: 'Herbal' });
  await call(ta, 'POST', '/api/admin/products', adminToken, {
    slug: `${fx.prefix}-madu`,
    name: 'Madu',
    price: 85000,
    stock: 12,
    category: `${fx.prefix}-herbal`,
  });
  const image = await call(ta, 'POST', `/api/admin/products/${p}-madu/image`, adminToken, { file, type: 'png' });
  const imageId = String(image.image_id ?? image.images?.[0]?.id ?? image.images?.[0] ?? '');
  const practice = adminFx.practiceIds['andi@jakarta']!;
  const rule = await call(ta, 'POST', `/api/admin/practices/${practice}/schedule/rules`, adminToken, {
    weekday: 3,
    start_time: '16:00',
    end_time: '17:00',
    slot_minutes: 30,
    appointment_type: 'call',
  });
  const exception = await call(ta, 'POST', `/api/admin/practices/${practice}/schedule/exceptions`, adminToken, {
    date: jakartaDate(5),
    kind: 'leave',
  });
  const webhook = await call(ta, 'POST', `/api/admin/apps/${ta.appId}/webhooks`, adminToken, {
    url: 'http://127.0.0.1:9/fuzz-hook',
  });

  const world: World = {
    ta,
    fx,
    adminFx,
    patient,
    other,
    doctorEmail,
    doctorToken,
    adminEmail,
    adminToken,
    throwaway: undefined as never,
    transactionIds,
    paymentRefs,
    avatarFile,
    imageFile: `${imageId}.jpg`,
    imageId,
    productSlug: `${fx.prefix}-madu`,
    categorySlug: `${fx.prefix}-herbal`,
    adminProductSlug: `${p}-madu`,
    adminCategorySlug: `${p}-herbal`,
    ruleId: String(rule.id),
    exceptionId: String(exception.id),
    webhookId: String(webhook.id),
    spareAppId: (await ta.app.services.apps.createApp('fuzz spare app')).appId,
    bookingDate,
  };
  world.throwaway = await freshThrowaway(world);
  return world;
}

/** Which login an operation's `security` asks for: the key alone, or the key and whose token. */
export type Role = 'open' | 'key' | 'patient' | 'doctor' | 'admin';

export function roleOf(op: Operation): Role {
  const schemes = new Set((op.spec.security ?? []).flatMap((r) => Object.keys(r)));
  if (schemes.has('bearer')) {
    if (op.path.startsWith('/api/admin')) return 'admin';
    if (op.path.startsWith('/api/doctor-app')) return 'doctor';
    return 'patient';
  }
  return schemes.has('apiKey') ? 'key' : 'open';
}

/**
 * Every role whose token the operation takes: the document's `x-token-roles` where it names
 * several (log out, change password), else the one its path implies.
 */
export function rolesOf(op: Operation): Role[] {
  const named = (op.spec as { 'x-token-roles'?: unknown })['x-token-roles'];
  if (Array.isArray(named) && roleOf(op) === 'patient') {
    return named.filter((r): r is Role => r === 'patient' || r === 'doctor' || r === 'admin');
  }
  return [roleOf(op)];
}

/** Operations that end the session or the account they act with: given the throwaway logins. */
export const DESTRUCTIVE = new Set([
  'DELETE /api/me',
  'POST /api/logout',
  'POST /api/change-password',
  'POST /api/admin/logout',
  'DELETE /api/admin/session',
  'DELETE /api/doctor-app/session',
  'POST /api/doctor-app/password',
]);

export const opKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method.toUpperCase()} ${op.path}`;

/** The credentials headers of a request of this operation, with a token of `role` (one of rolesOf). */
export function credentials(w: World, op: Operation, role: Role = roleOf(op)): Record<string, string> {
  const destructive = DESTRUCTIVE.has(opKey(op));
  const token =
    role === 'patient'
      ? (destructive ? w.throwaway.patient : w.patient).token
      : role === 'admin'
        ? destructive
          ? w.throwaway.adminToken
          : w.adminToken
        : role === 'doctor'
          ? destructive
            ? w.throwaway.doctorToken
            : w.doctorToken
          : undefined;
  return {
    ...(role === 'open' ? {} : { 'x-api-key': w.ta.apiKey }),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

/** Known-good values by field name for this operation, so near-valid requests find real records. */
export function hintsFor(w: World, op: Operation): Hints {
  const admin = op.path.startsWith('/api/admin');
  const f = admin ? w.adminFx : w.fx;
  const destructive = DESTRUCTIVE.has(opKey(op));
  const me = destructive ? w.throwaway.patient : w.patient;
  const slugsBy: Record<string, string[]> = {
    doctor: [`${f.prefix}-andi`, `${f.prefix}-hidden`, `${f.prefix}-budi`],
    hospital: [`${f.prefix}-jakarta`, `${f.prefix}-closed`],
    speciality: [`${f.prefix}-anak`, `${f.prefix}-jantung`],
    article: [`${f.prefix}-baru`, `${f.prefix}-draf`],
    product: [admin ? w.adminProductSlug : w.productSlug],
    category: [admin ? w.adminCategorySlug : w.categorySlug],
  };
  const entity = /specialit/.test(op.path)
    ? 'speciality'
    : /hospital/.test(op.path)
      ? 'hospital'
      : /article/.test(op.path)
        ? 'article'
        : /categor/.test(op.path)
          ? 'category'
          : /product/.test(op.path)
            ? 'product'
            : 'doctor';
  const practiceIds = Object.values(f.practiceIds);
  const hints: Hints = {
    slug: slugsBy[entity]!,
    email: [me.email, me.username, w.doctorEmail, w.adminEmail, 'nobody@example.id'],
    password: [me.password, 'salah-sandi-123'],
    current_password: [me.password],
    new_password: ['sandi-baru-2026'],
    new_password_confirmation: ['sandi-baru-2026'],
    password_confirmation: ['sandi-baru-2026'],
    user_id: [me.userId, w.other.userId],
    username: [me.username, w.other.username, uniqueName('baru')],
    name: ['Siti Rahayu', 'andi'],
    address: ['Jl. Merdeka 1'],
    gender: ['laki-laki', 'perempuan'],
    phone_number: ['081234567890'],
    date_of_birth: ['1990-05-17'],
    place_of_birth: ['Bandung'],
    no_type: ['3273012345678901'],
    suami: ['Andi'],
    file: [`data:image/png;base64,iVBORw0KGgo=`],
    extension: ['png', 'jpg'],
    token: ['0123456789abcdef0123456789abcdef'],
    role: ['patient', 'doctor'],
    action: ['confirm', 'decline', 'propose', 'accept-proposal', 'start', 'finish', 'open-room'],
    transaction_id: w.transactionIds,
    reference: w.paymentRefs,
    file_name: [w.avatarFile],
    id: admin && /webhooks/.test(op.path) ? [w.webhookId] : practiceIds,
    doctor_has_hospital_id: practiceIds,
    ruleId: [w.ruleId],
    exceptionId: [w.exceptionId],
    imageId: [w.imageId],
    // Webhooks are read and made on the fuzzer's own app; rotations and revocations hit a spare.
    app_id: /webhooks/.test(op.path) ? [w.ta.appId] : [w.spareAppId],
    webhook_id: [w.webhookId],
    username_doctor: [`${f.prefix}andi`, `${f.prefix}dewi`],
    doctor: slugsBy.doctor!,
    hospital: slugsBy.hospital!,
    speciality: slugsBy.speciality!,
    category: slugsBy.category!,
    type: ['call', 'reservasi', 'username', 'email', 'ktp', 'passport', 'png'],
    appointment: ['call', 'reservasi'],
    time: [`${w.bookingDate} 10:30`, '11:00', `${w.bookingDate} 13:00`],
    date: [w.bookingDate],
    from: [w.bookingDate],
    to: [w.bookingDate],
    days: [7, '7'],
    patient: ['Siti'],
    price: [150000, '150000'],
    note: ['Sakit kepala'],
    allow_access_data: [true, false],
    status: ['waiting_payment', 'waiting_doctor_confirmation', 'booked', 'published'],
    url: ['http://127.0.0.1:9/hook'],
    data: [10, '5'],
    page: [1, '2'],
    q: ['andi'],
    ids: [[]],
    all: [true],
    unread: ['true', '1'],
  };
  if (op.path.startsWith('/files/avatars')) hints.file = [w.avatarFile];
  if (op.path.startsWith('/files/images')) hints.file = [w.imageFile];
  if (op.path.startsWith('/api/register/patient')) {
    hints.email = [`${uniqueName('baru')}@example.id`, me.email];
    hints.password = ['rahasia-123'];
  }
  return hints;
}

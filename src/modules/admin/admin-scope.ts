import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';

/**
 * Who an admin is in the back office: an operator does everything; a hospital admin works only
 * on the hospitals assigned to them (their hospitals, the doctors practising there, those
 * practices' schedules and the orders made there). The API enforces it, route by route: a route
 * not listed in HOSPITAL_ADMIN_ROUTES is an operator's (403 ADMIN_ROLE_FORBIDDEN), and a listed
 * one names what it touches, which must be theirs (else the same 403). Lists are filtered.
 */
export interface AdminScope {
  role: 'operator' | 'hospital_admin';
  /** A hospital admin's hospitals (ids); empty for an operator. */
  hospitalIds: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    adminScope: AdminScope | undefined;
  }
}

/** What a hospital admin's request touches: checked against their hospitals before the handler. */
type Touches =
  | 'own' // their own session or account
  | 'global' // read-only reference data every form needs (specialities)
  | 'list' // the handler filters by scopedFilter()
  | { practice: 'id' }
  | { doctor: 'slug' }
  | { hospital: 'slug' }
  | { order: 'transaction_id' }
  | { bodyHospital: 'hospital' }
  | { queryHospital: 'hospital' };

const PRACTICE = { practice: 'id' } as const;
const DOCTOR = { doctor: 'slug' } as const;
const HOSPITAL = { hospital: 'slug' } as const;
const ORDER = { order: 'transaction_id' } as const;

/** Method and route (without /api) → what it touches. Everything else is an operator's. */
export const HOSPITAL_ADMIN_ROUTES: Record<string, Touches> = {
  'GET /admin/me': 'own',
  'POST /admin/logout': 'own',
  'GET /admin/session': 'own',
  'DELETE /admin/session': 'own',
  'GET /admin/specialities': 'global',
  // One hospital's figures: theirs, the first of theirs when none is named.
  'GET /admin/dashboard': { queryHospital: 'hospital' },
  'GET /admin/hospitals': 'list',
  'GET /admin/hospitals/:slug': HOSPITAL,
  'PUT /admin/hospitals/:slug': HOSPITAL,
  'POST /admin/hospitals/:slug/image': HOSPITAL,
  'GET /admin/doctors': 'list',
  'GET /admin/doctors/:slug': DOCTOR,
  'PUT /admin/doctors/:slug': DOCTOR,
  'POST /admin/doctors/:slug/image': DOCTOR,
  'GET /admin/practices': 'list',
  'POST /admin/practices': { bodyHospital: 'hospital' },
  'GET /admin/practices/:id': PRACTICE,
  'PUT /admin/practices/:id': PRACTICE,
  'POST /admin/practices/:id/publish': PRACTICE,
  'POST /admin/practices/:id/unpublish': PRACTICE,
  'GET /admin/practices/:id/schedule': PRACTICE,
  'GET /admin/practices/:id/slots': PRACTICE,
  'POST /admin/practices/:id/schedule/rules': PRACTICE,
  'PUT /admin/practices/:id/schedule/rules/:ruleId': PRACTICE,
  'DELETE /admin/practices/:id/schedule/rules/:ruleId': PRACTICE,
  'POST /admin/practices/:id/schedule/exceptions': PRACTICE,
  'DELETE /admin/practices/:id/schedule/exceptions/:exceptionId': PRACTICE,
  'GET /admin/orders': 'list',
  'GET /admin/orders/:transaction_id': ORDER,
  'POST /admin/orders/:transaction_id/refund': ORDER,
};

export async function scopeOf(db: Db, user: { id: string; admin_role: string | null }): Promise<AdminScope> {
  if (user.admin_role !== 'hospital_admin') return { role: 'operator', hospitalIds: [] };
  const rows = await db.selectFrom('admin_hospitals').select('hospital_id').where('user_id', '=', user.id).execute();
  return { role: 'hospital_admin', hospitalIds: rows.map((r) => r.hospital_id) };
}

/** The hospitals (ids) a request's target belongs to; undefined when it does not exist (the route answers 404). */
async function targetHospitals(db: Db, touches: Touches, request: FastifyRequest): Promise<string[] | undefined> {
  const params = (request.params ?? {}) as Record<string, string>;
  if (typeof touches === 'string') return [];
  if ('practice' in touches) {
    const id = Number(params.id);
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await db.selectFrom('practices').select('hospital_id').where('id', '=', id).executeTakeFirst();
    return row && [row.hospital_id];
  }
  if ('doctor' in touches) {
    const doctor = await db
      .selectFrom('doctors')
      .select('id')
      .where('slug', '=', String(params.slug))
      .executeTakeFirst();
    if (doctor === undefined) return undefined;
    const rows = await db.selectFrom('practices').select('hospital_id').where('doctor_id', '=', doctor.id).execute();
    return rows.map((r) => r.hospital_id);
  }
  if ('queryHospital' in touches) {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (typeof query.hospital === 'string' && query.hospital !== '') return hospitalBySlug(db, query.hospital);
    const first = await db
      .selectFrom('admin_hospitals')
      .innerJoin('hospitals', 'hospitals.id', 'admin_hospitals.hospital_id')
      .select(['hospitals.id', 'hospitals.slug'])
      .where('admin_hospitals.user_id', '=', request.user!.id)
      .orderBy('hospitals.name')
      .executeTakeFirst();
    // None assigned: nothing of anyone's to show.
    if (first === undefined) throw new AppError('ADMIN_ROLE_FORBIDDEN');
    // The handler reads the query after this: it narrows to that hospital.
    query.hospital = first.slug;
    return [first.id];
  }
  if ('hospital' in touches) return hospitalBySlug(db, params.slug);
  if ('bodyHospital' in touches) {
    const slug = ((request.body ?? {}) as Record<string, unknown>).hospital;
    return typeof slug === 'string' ? hospitalBySlug(db, slug) : undefined;
  }
  if (!('order' in touches)) throw new AppError('ADMIN_ROLE_FORBIDDEN');
  const row = await db
    .selectFrom('orders')
    .select('hospital_id')
    .where('transaction_id', '=', String(params.transaction_id).toUpperCase())
    .executeTakeFirst();
  return row && [row.hospital_id];
}

async function hospitalBySlug(db: Db, slug: string | undefined): Promise<string[] | undefined> {
  if (slug === undefined) return undefined;
  const row = await db.selectFrom('hospitals').select('id').where('slug', '=', slug).executeTakeFirst();
  return row && [row.id];
}

/**
 * preHandler of every admin route (after the Bearer or session guard): loads the admin's scope
 * and refuses what a hospital admin may not do.
 */
export function adminScopeGuard(db: Db) {
  return async (request: FastifyRequest): Promise<void> => {
    const user = request.user;
    if (user === undefined) return;
    const scope = await scopeOf(db, user);
    request.adminScope = scope;
    if (scope.role === 'operator') return;
    const route = `${request.method} ${(request.routeOptions.url ?? '').replace(/^\/api/, '')}`;
    const touches = HOSPITAL_ADMIN_ROUTES[route];
    if (touches === undefined) throw new AppError('ADMIN_ROLE_FORBIDDEN');
    const hospitals = await targetHospitals(db, touches, request);
    // Not there: the handler's own 404. There but not theirs (a doctor with no practice of theirs): refused.
    if (hospitals === undefined || typeof touches === 'string') return;
    if (!hospitals.some((h) => scope.hospitalIds.includes(h))) throw new AppError('ADMIN_ROLE_FORBIDDEN');
  };
}

/** A list's filter narrowed to a hospital admin's hospitals; an operator's unchanged. */
export function scopedFilter<T extends object>(
  request: FastifyRequest,
  filter: T,
): T & { hospitalIds?: readonly string[] } {
  const scope = request.adminScope;
  return scope?.role === 'hospital_admin' ? { ...filter, hospitalIds: scope.hospitalIds } : filter;
}

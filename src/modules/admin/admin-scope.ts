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
  // read: a doctor with a practice at one of theirs; write: a doctor practising only at theirs
  // (a doctor's name, slug and picture show at every hospital, so another's are not theirs to change)
  | { doctor: 'read' | 'write' }
  | { hospital: 'slug' }
  | { order: 'transaction_id' }
  // A new practice: at one of theirs, for a doctor with no practice yet or only at theirs.
  | { newPractice: true }
  | { queryHospital: 'hospital' };

const PRACTICE = { practice: 'id' } as const;
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
  'GET /admin/doctors/:slug': { doctor: 'read' },
  'PUT /admin/doctors/:slug': { doctor: 'write' },
  'POST /admin/doctors/:slug/image': { doctor: 'write' },
  'GET /admin/practices': 'list',
  'POST /admin/practices': { newPractice: true },
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

const refuse = (): never => {
  throw new AppError('ADMIN_ROLE_FORBIDDEN');
};

async function hospitalIdBySlug(db: Db, slug: string): Promise<string | undefined> {
  const row = await db.selectFrom('hospitals').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id;
}

/** Where a doctor practises (hospital ids); undefined for no such doctor. */
async function doctorHospitals(db: Db, slug: string): Promise<string[] | undefined> {
  const doctor = await db.selectFrom('doctors').select('id').where('slug', '=', slug).executeTakeFirst();
  if (doctor === undefined) return undefined;
  const rows = await db.selectFrom('practices').select('hospital_id').where('doctor_id', '=', doctor.id).execute();
  return rows.map((r) => r.hospital_id);
}

/**
 * Refuses (403 ADMIN_ROLE_FORBIDDEN) what is not the hospital admin's. A target named by the path
 * that does not exist is left to the handler's 404: the path is matched exactly on both sides.
 */
async function check(db: Db, touches: Touches, request: FastifyRequest, mine: readonly string[]): Promise<void> {
  if (typeof touches === 'string') return;
  const params = (request.params ?? {}) as Record<string, string>;
  const ours = (hospitalId: string) => mine.includes(hospitalId);
  if ('practice' in touches) {
    const id = Number(params.id);
    if (!Number.isSafeInteger(id)) return;
    const row = await db.selectFrom('practices').select('hospital_id').where('id', '=', id).executeTakeFirst();
    if (row !== undefined && !ours(row.hospital_id)) refuse();
    return;
  }
  if ('doctor' in touches) {
    const at = await doctorHospitals(db, String(params.slug));
    if (at === undefined) return;
    const allowed = touches.doctor === 'read' ? at.some(ours) : at.length > 0 && at.every(ours);
    if (!allowed) refuse();
    return;
  }
  if ('hospital' in touches) {
    const id = await hospitalIdBySlug(db, String(params.slug));
    if (id !== undefined && !ours(id)) refuse();
    return;
  }
  if ('newPractice' in touches) {
    // Both must be named and theirs; anything else is refused before the handler reads it.
    const body = (request.body ?? {}) as Record<string, unknown>;
    const hospital = typeof body.hospital === 'string' ? await hospitalIdBySlug(db, body.hospital) : undefined;
    const at = typeof body.doctor === 'string' ? await doctorHospitals(db, body.doctor) : undefined;
    if (hospital === undefined || !ours(hospital) || at === undefined || !at.every(ours)) refuse();
    return;
  }
  if ('queryHospital' in touches) {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const named = typeof query.hospital === 'string' ? query.hospital.trim() : '';
    if (named !== '') {
      // Fail closed: an unknown slug is not theirs either.
      const id = await hospitalIdBySlug(db, named);
      if (id === undefined || !ours(id)) refuse();
      query.hospital = named;
      return;
    }
    const first = await db
      .selectFrom('admin_hospitals')
      .innerJoin('hospitals', 'hospitals.id', 'admin_hospitals.hospital_id')
      .select('hospitals.slug')
      .where('admin_hospitals.user_id', '=', request.user!.id)
      .orderBy('hospitals.name')
      .executeTakeFirst();
    // None assigned: nothing of anyone's to show.
    if (first === undefined) refuse();
    // The handler reads the query after this: it narrows to that hospital.
    query.hospital = first!.slug;
    return;
  }
  if ('order' in touches) {
    const row = await db
      .selectFrom('orders')
      .select('hospital_id')
      .where('transaction_id', '=', String(params.transaction_id).toUpperCase())
      .executeTakeFirst();
    if (row !== undefined && !ours(row.hospital_id)) refuse();
    return;
  }
  refuse();
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
    if (touches === undefined) refuse();
    await check(db, touches!, request, scope.hospitalIds);
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

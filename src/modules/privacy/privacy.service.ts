import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { Lang } from '../../http/i18n.js';
import { type PageMeta, type PageRequest, pageMeta } from '../../http/pagination.js';
import { newSortableId, sha256 } from '../../security/tokens.js';
import type { UserRow } from '../accounts/index.js';
import {
  normalizeLogin,
  toUserResource,
  type AccountsService,
  type Session,
  type UserResource,
} from '../accounts/index.js';
import { ordersOfPatient } from '../booking/index.js';
import type { BookingService, OrderResource } from '../booking/index.js';
import type { NotificationResource, NotificationsService } from '../notifications/index.js';
import type { ObgynResource, ObgynService } from '../obgyn/index.js';
import * as repo from './privacy.repository.js';
import { systemClock } from '../../clock.js';

/**
 * What a doctor or an admin read of a patient's data: one order, a list page of orders, the
 * audit trail of an order (it holds the order as it was), a profile.
 */
export type AccessWhat = 'order' | 'orders_list' | 'audit_log' | 'profile';

/** Who read: the account and the role it acted in. */
export interface Reader {
  id: string;
  role: string;
}

export interface AccessLogEntry {
  read_at: string;
  actor: { role: string; name: string };
  what: string;
  transaction_id: string | null;
}

/** Everything the API holds about a patient, as GET /api/me/export gives it to them. */
export interface DataExport {
  exported_at: string;
  profile: UserResource;
  /** The identity document in clear: only ever in its owner's own export. */
  identity: { type: string | null; number: string | null };
  email_verified_at: string | null;
  obgyn: ObgynResource | null;
  orders: OrderResource[];
  notifications: NotificationResource[];
  access_log: AccessLogEntry[];
  login_addresses: { ip: string; last_login_at: string }[];
}

/** The other modules the export and the erasure read through (their rules, their resources). */
export interface PrivacyDeps {
  accounts: AccountsService;
  booking: BookingService;
  obgyn: ObgynService;
  notifications: NotificationsService;
}

/**
 * The patient's rights over their data (UU PDP 27/2022): the access log of reads by doctors
 * and admins, the export, and the erasure of the account.
 */
export class PrivacyService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = systemClock,
    /** Asked when needed: the services are built together, this one before some it uses. */
    private readonly deps: () => PrivacyDeps = () => {
      throw new Error('PrivacyService built without its dependencies');
    },
  ) {}

  /** The patient's own data, whole: what the export route sends. */
  async exportData(user: UserRow, baseUrl: string, lang: Lang): Promise<DataExport> {
    const { accounts, booking, obgyn, notifications: inbox } = this.deps();
    const [orderRows, log, addresses, verifiedAt, profile, notifications] = await Promise.all([
      ordersOfPatient(this.db, user.id, {}),
      repo.accessLogOf(this.db, user.id),
      repo.knownAddressesOf(this.db, user.id),
      repo.emailVerifiedAt(this.db, user.id, user.email_normalized),
      obgyn.get(user.id).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'OBGYN_PROFILE_NOT_FOUND') return null;
        throw err;
      }),
      // The whole inbox, read or not, in the language of the request.
      inbox.inbox(user.id, false, { page: 1, perPage: 1_000_000 }, lang).then((page) => page.data),
    ]);
    return {
      exported_at: new Date(this.now()).toISOString(),
      profile: toUserResource(user, baseUrl),
      identity: { type: user.id_type, number: accounts.revealIdNumber(user) },
      email_verified_at: verifiedAt === undefined ? null : new Date(Number(verifiedAt)).toISOString(),
      obgyn: profile,
      orders: await booking.resources(orderRows, baseUrl),
      notifications,
      access_log: log.map(toEntry),
      login_addresses: addresses.map((a) => ({
        ip: a.ip,
        last_login_at: new Date(Number(a.last_success_at)).toISOString(),
      })),
    };
  }

  /**
   * Erases the patient's personal data (UU PDP's right to erasure), after the password is given
   * again. Orders stay for accounting (amounts, statuses, history), linked to the account row,
   * which stays too but anonymised: the email and username are free for a new registration at
   * once. One transaction: a failure leaves everything as it was. The avatar lives in the
   * database (images), so it goes in the same transaction; there is no file to remove.
   */
  async erase(session: Session, password: string, ip: string): Promise<void> {
    const { accounts } = this.deps();
    const user = session.user;
    await accounts.confirmPassword(user, password, ip);
    if (await repo.hasOpenOrders(this.db, user.id)) throw new AppError('ACCOUNT_HAS_OPEN_ORDERS');
    const now = this.now();
    // The counters password/forgot keeps under a hash of each login name.
    const loginSubjects = [user.email_normalized, user.username_normalized].map((n) =>
      sha256(`forgot:${normalizeLogin(n)}`),
    );
    await this.db.transaction().execute(async (trx) => {
      // Again inside: an order booked meanwhile keeps the account (the token still worked).
      if (await repo.hasOpenOrders(trx, user.id)) throw new AppError('ACCOUNT_HAS_OPEN_ORDERS');
      if (!(await repo.anonymiseUser(trx, user.id, user.password_hash, now))) {
        throw new AppError('PASSWORD_CHANGED_MEANWHILE');
      }
      await repo.erasePersonalRows(trx, user.id, loginSubjects, now);
      for (const entry of await repo.orderAuditEntries(trx, user.id)) {
        await repo.setAuditJson(trx, entry.id, scrubOrderJson(entry.before_json), scrubOrderJson(entry.after_json));
      }
      // The inbox goes with the account (the outbox and deliveries name no person).
      await repo.deleteInbox(trx, user.id);
    });
  }

  /**
   * Records that `reader` read these orders. Called by the route after the data is gathered and
   * before the answer is sent, and awaited: if the log cannot be written the request fails and
   * the data never leaves, so no read goes unrecorded. One row per order for single reads; one
   * row per patient for a list page (which patients appeared on it, not every order again).
   */
  async recordOrderReads(reader: Reader, what: AccessWhat, transactionIds: readonly string[]): Promise<void> {
    const patients = await repo.patientsOfOrders(this.db, transactionIds);
    const now = this.now();
    const rows: repo.AccessLogRow[] = [];
    const seen = new Set<string>();
    for (const transactionId of transactionIds) {
      const patient = patients.get(transactionId);
      if (patient === undefined || patient === reader.id) continue;
      const perOrder = what !== 'orders_list';
      const key = perOrder ? `${patient}|${transactionId}` : patient;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        id: newSortableId(now),
        patient_user_id: patient,
        actor_user_id: reader.id,
        actor_role: reader.role,
        what,
        subject: perOrder ? transactionId : null,
        created_at: now,
      });
    }
    if (rows.length > 0) await repo.insertAccessRows(this.db, rows);
  }

  /** The reads of a patient's data, newest first, a page at a time. */
  async accessLog(patientId: string, page: PageRequest): Promise<{ data: AccessLogEntry[]; meta: PageMeta }> {
    const [rows, total] = await Promise.all([
      repo.accessLogOf(this.db, patientId, { limit: page.perPage, offset: (page.page - 1) * page.perPage }),
      repo.countAccessLog(this.db, patientId),
    ]);
    return {
      data: rows.map(toEntry),
      meta: pageMeta(page, total),
    };
  }
}

/** An order as the audit log kept it, without the patient's name and note. */
function scrubOrderJson(json: string | null): string | null {
  if (json === null) return null;
  const value = JSON.parse(json) as Record<string, unknown>;
  if ('patient_name' in value) value.patient_name = '';
  if ('note' in value) value.note = null;
  return JSON.stringify(value);
}

function toEntry(row: Awaited<ReturnType<typeof repo.accessLogOf>>[number]): AccessLogEntry {
  return {
    read_at: new Date(Number(row.created_at)).toISOString(),
    actor: {
      role: row.actor_role,
      name: (row.actor_role === 'doctor' ? row.doctor_name : null) ?? row.user_name ?? '',
    },
    what: row.what,
    transaction_id: row.subject,
  };
}

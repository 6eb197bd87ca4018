import type { Db } from '../../db/index.js';
import type { PageMeta, PageRequest } from '../../http/pagination.js';
import { newSortableId } from '../../security/tokens.js';
import * as repo from './privacy.repository.js';

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

/**
 * The patient's rights over their data (UU PDP 27/2022): the access log of reads by doctors
 * and admins, the export, and the erasure of the account.
 */
export class PrivacyService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

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
      meta: {
        current_page: page.page,
        per_page: page.perPage,
        total,
        last_page: Math.max(1, Math.ceil(total / page.perPage)),
      },
    };
  }
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

import type { Db } from '../../db/index.js';
import type { PageRequest } from '../../http/pagination.js';
import type { AuditFilter } from './admin.repository.js';
import { listAuditLog, type AuditEntry } from './admin-audit.js';
import { AdminCatalogue } from './admin-catalogue.js';
import { AdminChanges } from './admin-changes.js';
import type { Page } from './admin-helpers.js';
import { AdminPractices } from './admin-practices.js';

/**
 * The back office: creates, changes, publishes, unpublishes and deletes catalogue rows
 * (`catalogue`, by slug) and practices (`practices`, by id), and reads the audit log. Every
 * change writes its audit row and bumps the catalogue version in the change's own transaction,
 * then tells this process's caches (`onChange`) so it shows here at once (admin-changes.ts).
 */
export class AdminService {
  readonly catalogue: AdminCatalogue;
  readonly practices: AdminPractices;
  private readonly changes: AdminChanges;

  constructor(
    /** The database, for the back office's other services (schedules, orders). */
    readonly db: Db,
    options: { onChange: () => void; now?: () => number },
  ) {
    this.changes = new AdminChanges(db, options);
    this.catalogue = new AdminCatalogue(this.changes);
    this.practices = new AdminPractices(this.changes);
  }

  /** The clock (tests move it). */
  now(): number {
    return this.changes.now();
  }

  auditLog(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
    return listAuditLog(this.db, filter, page);
  }
}

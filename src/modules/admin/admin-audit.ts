import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import type { PageRequest } from '../../http/pagination.js';
import * as repo from './admin.repository.js';
import type { AUDIT_ACTIONS, AUDIT_ENTITIES } from './admin.schemas.js';
import { limits, pageMeta, productImageIds, type Page } from './admin-helpers.js';

export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface Change {
  action: AuditAction;
  entity: AuditEntity;
  entityId: string;
  before: object | null;
  after: object | null;
}

/** What the audit log keeps of a row: its columns, with a product's image list readable. */
function snapshot(row: object | null): string | null {
  if (row === null) return null;
  const copy: Record<string, unknown> = { ...row };
  if (typeof copy.image_ids === 'string') copy.image_ids = productImageIds(copy.image_ids);
  return JSON.stringify(copy);
}

let lastIdMs = 0;
let idSequence = 0;
/**
 * UUIDv7-shaped ids for audit rows: time first and, within one process, increasing, so entries
 * of one millisecond still list in the order they were made.
 */
function timeOrderedId(at: number): string {
  let ms = at;
  if (ms <= lastIdMs) {
    ms = lastIdMs;
    idSequence += 1;
    if (idSequence > 0xfff) {
      ms += 1;
      idSequence = 0;
    }
  } else idSequence = 0;
  lastIdMs = ms;
  const hex = ms.toString(16).padStart(12, '0');
  const rand = randomBytes(8);
  rand[0] = (rand[0]! & 0x3f) | 0x80;
  const r = rand.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${idSequence.toString(16).padStart(3, '0')}-${r.slice(0, 4)}-${r.slice(4, 16)}`;
}

/** Writes the audit rows of one change, in the change's own transaction. */
export async function writeAudit(trx: Db, actorId: string, changes: readonly Change[], at: number): Promise<void> {
  if (changes.length === 0) return;
  await repo.insertAudit(
    trx,
    changes.map((c) => ({
      id: timeOrderedId(at),
      actor_user_id: actorId,
      action: c.action,
      entity: c.entity,
      entity_id: c.entityId,
      before_json: snapshot(c.before),
      after_json: snapshot(c.after),
      created_at: at,
    })),
  );
}

export interface AuditEntry {
  id: string;
  actor_user_id: string;
  actor: { name: string; email: string } | null;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

/** The audit log, newest first, as the back office reads it. */
export async function listAuditLog(db: Db, filter: repo.AuditFilter, page: PageRequest): Promise<Page<AuditEntry>> {
  const { rows, total } = await repo.listAudit(db, filter, limits(page));
  const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));
  return {
    data: rows.map((r) => ({
      id: r.id,
      actor_user_id: r.actor_user_id,
      actor: r.actor_name === null ? null : { name: r.actor_name, email: r.actor_email ?? '' },
      action: r.action,
      entity: r.entity,
      entity_id: r.entity_id,
      before: parse(r.before_json),
      after: parse(r.after_json),
      created_at: new Date(r.created_at).toISOString(),
    })),
    meta: pageMeta(page, total),
  };
}

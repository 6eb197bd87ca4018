import type { Db } from '../../db/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, type FieldProblems } from '../../http/errors.js';
import type { PageRequest } from '../../http/pagination.js';
import * as repo from './admin.repository.js';
import type { ListFilter } from './admin-catalogue.js';
import type { AdminChanges } from './admin-changes.js';
import { fail, isForeignKeyViolation, iso, limits, pageMeta, type Page } from './admin-helpers.js';

export interface PracticeInput {
  doctor?: string;
  hospital?: string;
  call_price?: number | null;
  reservasi_price?: number | null;
}

export interface PracticeResource {
  id: number;
  doctor: string;
  hospital: string;
  hospital_name: string;
  call_price: number | null;
  reservasi_price: number | null;
  appointment_types: string[];
  unpublished_at: string | null;
  created_at: string;
  updated_at: string;
}

export function practiceResource(p: repo.PracticeDetail): PracticeResource {
  return {
    id: Number(p.id),
    doctor: p.doctor_slug,
    hospital: p.hospital_slug,
    hospital_name: p.hospital_name,
    call_price: p.call_price,
    reservasi_price: p.reservasi_price,
    appointment_types: [
      ...(p.call_price !== null ? ['call'] : []),
      ...(p.reservasi_price !== null ? ['reservasi'] : []),
    ],
    unpublished_at: iso(p.unpublished_at),
    created_at: iso(p.created_at)!,
    updated_at: iso(p.updated_at)!,
  };
}

/** Practices: a doctor at a hospital, by its numeric id (the apps' doctor_has_hospital_id). */
export class AdminPractices {
  constructor(private readonly changes: AdminChanges) {}

  private async practiceOf(trx: Db, id: number): Promise<repo.PracticeRow> {
    const q = trx.selectFrom('practices').selectAll().where('id', '=', id);
    const found = await (this.changes.isPostgres ? q.forUpdate() : q).executeTakeFirst();
    if (found === undefined) throw new AppError('PRACTICE_NOT_FOUND');
    return found;
  }

  private static checkPrices(callPrice: number | null, reservasiPrice: number | null): void {
    if (callPrice === null && reservasiPrice === null) {
      const problem = [{ key: 'priceRequired' as const }];
      throw new AppError('VALIDATION_FAILED', { fields: { call_price: problem, reservasi_price: problem } });
    }
  }

  async create(actorId: string, input: Required<Pick<PracticeInput, 'doctor' | 'hospital'>> & PracticeInput) {
    const callPrice = input.call_price ?? null;
    const reservasiPrice = input.reservasi_price ?? null;
    return this.changes.change(actorId, async (trx) => {
      const problems: FieldProblems = {};
      const doctor = await repo.findBySlug(trx, 'doctors', input.doctor);
      const hospital = await repo.findBySlug(trx, 'hospitals', input.hospital);
      if (doctor === undefined) problems.doctor = [{ key: 'unknownReference' }];
      if (hospital === undefined) problems.hospital = [{ key: 'unknownReference' }];
      if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
      AdminPractices.checkPrices(callPrice, reservasiPrice);
      if (await repo.practiceExists(trx, doctor!.id, hospital!.id)) throw fail('hospital', 'practiceExists');
      const now = this.changes.now();
      let id: number;
      try {
        id = await repo.insertPractice(trx, {
          doctor_id: doctor!.id,
          hospital_id: hospital!.id,
          call_price: callPrice,
          reservasi_price: reservasiPrice,
          unpublished_at: null,
          created_at: now,
          updated_at: now,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw fail('hospital', 'practiceExists');
        if (isForeignKeyViolation(err)) throw fail('doctor', 'unknownReference');
        throw err;
      }
      const after = await this.practiceOf(trx, id);
      return {
        changes: [{ action: 'create', entity: 'practice', entityId: String(id), before: null, after }],
        result: id,
      };
    });
  }

  async update(actorId: string, id: number, input: PracticeInput): Promise<number> {
    return this.changes.change(actorId, async (trx) => {
      const before = await this.practiceOf(trx, id);
      const callPrice = input.call_price === undefined ? before.call_price : input.call_price;
      const reservasiPrice = input.reservasi_price === undefined ? before.reservasi_price : input.reservasi_price;
      AdminPractices.checkPrices(callPrice, reservasiPrice);
      if (callPrice === before.call_price && reservasiPrice === before.reservasi_price) {
        return { changes: [], result: id };
      }
      const after = await repo.updatePractice(trx, id, {
        call_price: callPrice,
        reservasi_price: reservasiPrice,
        updated_at: this.changes.now(),
      });
      return {
        changes: [{ action: 'update', entity: 'practice', entityId: String(id), before, after: after! }],
        result: id,
      };
    });
  }

  async setPublished(actorId: string, id: number, publish: boolean): Promise<number> {
    return this.changes.change(actorId, async (trx) => {
      const before = await this.practiceOf(trx, id);
      if ((before.unpublished_at === null) === publish) return { changes: [], result: id };
      const now = this.changes.now();
      const after = await repo.updatePractice(trx, id, { unpublished_at: publish ? null : now, updated_at: now });
      return {
        changes: [
          {
            action: publish ? 'publish' : 'unpublish',
            entity: 'practice',
            entityId: String(id),
            before,
            after: after!,
          },
        ],
        result: id,
      };
    });
  }

  async remove(actorId: string, id: number): Promise<void> {
    await this.changes.change(actorId, async (trx) => {
      const before = await this.practiceOf(trx, id);
      try {
        await repo.deleteRow(trx, 'practices', id);
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new AppError('STILL_REFERENCED');
        throw err;
      }
      return {
        changes: [{ action: 'delete', entity: 'practice', entityId: String(id), before, after: null }],
        result: null,
      };
    });
  }

  // Reads.

  async resource(id: number): Promise<PracticeResource> {
    const found = await repo.findPractice(this.changes.db, id);
    if (found === undefined) throw new AppError('PRACTICE_NOT_FOUND');
    return practiceResource(found);
  }

  async list(filter: ListFilter, page: PageRequest): Promise<Page<PracticeResource>> {
    const ids: { doctorId?: string; hospitalId?: string } = {};
    for (const [key, table, slug] of [
      ['doctorId', 'doctors', filter.doctor],
      ['hospitalId', 'hospitals', filter.hospital],
    ] as const) {
      if (slug === undefined || slug === '') continue;
      const row = await repo.findBySlug(this.changes.db, table, slug);
      if (row === undefined) return { data: [], meta: pageMeta(page, 0) };
      ids[key] = row.id;
    }
    const { rows, total } = await repo.listPractices(
      this.changes.db,
      {
        ...ids,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.hospitalIds !== undefined ? { hospitalIds: filter.hospitalIds } : {}),
      },
      limits(page),
    );
    return { data: rows.map(practiceResource), meta: pageMeta(page, total) };
  }
}

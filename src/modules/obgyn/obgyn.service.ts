import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import * as repo from './obgyn.repository.js';
import type { ObgynRow } from './obgyn.repository.js';
import { systemClock } from '../../clock.js';

export interface ObgynInput {
  suami: string;
  faskes1?: string | null;
  faskes_rujukan?: string | null;
  pendidikan?: string | null;
  pekerjaan?: string | null;
}

export interface ObgynResource {
  user_id: string;
  suami: string;
  faskes1: string | null;
  faskes_rujukan: string | null;
  pendidikan: string | null;
  pekerjaan: string | null;
  created_at: string;
  updated_at: string;
}

const toResource = (row: ObgynRow): ObgynResource => ({
  user_id: row.user_id,
  suami: row.suami,
  faskes1: row.faskes1,
  faskes_rujukan: row.faskes_rujukan,
  pendidikan: row.pendidikan,
  pekerjaan: row.pekerjaan,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

const clean = (v: string | null | undefined): string | null =>
  v === undefined || v === null || v.trim() === '' ? null : v.trim();

export class ObgynService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = systemClock,
  ) {}

  async get(userId: string): Promise<ObgynResource> {
    const row = await repo.findObgyn(this.db, userId);
    if (row === undefined) throw new AppError('OBGYN_PROFILE_NOT_FOUND');
    return toResource(row);
  }

  /**
   * Creates the profile, or replaces it: optional fields left out keep their value, and
   * null or "" clears them. Returns whether it was created.
   */
  async save(userId: string, input: ObgynInput): Promise<{ created: boolean; profile: ObgynResource }> {
    const suami = input.suami.trim();
    if (suami === '') throw AppError.field('suami', 'required');
    const now = this.now();
    const fields = ['faskes1', 'faskes_rujukan', 'pendidikan', 'pekerjaan'] as const;
    const row: ObgynRow = {
      user_id: userId,
      suami,
      faskes1: clean(input.faskes1),
      faskes_rujukan: clean(input.faskes_rujukan),
      pendidikan: clean(input.pendidikan),
      pekerjaan: clean(input.pekerjaan),
      created_at: now,
      updated_at: now,
    };
    // The insert decides "created", so of several first saves at once exactly one is a 201.
    const inserted = await repo.insertObgynIfAbsent(this.db, row);
    if (inserted) return { created: true, profile: toResource(inserted) };
    const sent = fields.filter((field) => input[field] !== undefined);
    return { created: false, profile: toResource(await repo.updateObgyn(this.db, row, sent)) };
  }
}

import type { Db } from '../../db/index.js';

export interface SeedOptions {
  /** How many doctors (default 300); benchmarks ask for 10,000. */
  doctors?: number;
}

export interface SeedResult {
  specialities: number;
  hospitals: number;
  doctors: number;
  practices: number;
  articles: number;
  categories: number;
  products: number;
}

/** Replaces the catalogue with the deterministic demo catalogue (to be built). */
export async function seedCatalogue(_db: Db, _options: SeedOptions = {}): Promise<SeedResult> {
  throw new Error('seedCatalogue is not built yet');
}

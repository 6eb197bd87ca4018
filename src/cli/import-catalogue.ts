import type { Db } from '../db/index.js';

export type CatalogueImportResult =
  { ok: true; counts: Record<string, number> } | { ok: false; errors: { line: number; message: string }[] };

/** Loads a catalogue file (JSON or CSV), upserting by slug, all or nothing (to be built). */
export async function importCatalogue(_db: Db, _file: string): Promise<CatalogueImportResult> {
  throw new Error('importCatalogue is not built yet');
}

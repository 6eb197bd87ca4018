import { basename, extname } from 'node:path';
import type { Db } from '../../db/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import { systemClock } from '../../clock.js';
import { loadCsv, loadJson, readText } from './read.js';
import { checkRecords } from './check.js';
import { Rejected, writeCatalogue } from './write.js';
import type { CatalogueFile, CatalogueImportOptions, CatalogueImportResult } from './types.js';

// The catalogue import: a file is read (read.ts), its records checked (check.ts), then written
// in one transaction (write.ts). The CLI's `import` and the back office's upload both run it.

export { parseCsv } from './read.js';
export { parseInstant } from './check.js';
export { CATALOGUE_ENTITIES, type CatalogueImportSummary, type ImportProblem } from './types.js';

/** A database error the import reports as a problem rather than as a fault of this code. */
function isDatabaseRefusal(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code) || code.startsWith('E'));
}

/**
 * Loads a catalogue file (JSON or CSV), upserting by slug, all or nothing: every record is
 * checked first (fields, references to this file or to the database, duplicates); any problem
 * is reported by its line and nothing is written. Otherwise one transaction writes it all and
 * bumps the catalogue's cache version, so every API process shows it within a second.
 */
export async function importCatalogue(
  db: Db,
  file: string,
  now: () => number = systemClock,
): Promise<CatalogueImportResult> {
  const text = readText(file);
  if (typeof text !== 'string') return { ok: false, errors: [text] };
  try {
    return await importCatalogueText(db, { name: file, text }, { now });
  } catch (err) {
    // The database refused (busy, gone, out of space): say so plainly; anything else is a bug.
    if (isDatabaseRefusal(err)) {
      return {
        ok: false,
        errors: [{ line: 0, message: `the database refused the import (${err.code}: ${err.message})` }],
      };
    }
    throw err;
  }
}

/**
 * The import of a catalogue file's text (see importCatalogue); `file.name` says JSON or CSV and
 * a CSV's entity. A dry run does every check and works out what would change (the same summary
 * as the real run), writing nothing. A database that refuses (busy, gone) throws.
 */
export async function importCatalogueText(
  db: Db,
  file: CatalogueFile,
  options: CatalogueImportOptions = {},
): Promise<CatalogueImportResult> {
  const { dryRun = false, now = systemClock, onWritten } = options;
  // A byte-order mark left in decoded text (the file's reader keeps it, or a browser's does).
  const text = file.text.startsWith('\uFEFF') ? file.text.slice(1) : file.text;
  if (text.trim() === '') return { ok: false, errors: [{ line: 1, message: 'the file is empty' }] };
  const ext = extname(file.name).toLowerCase();
  if (ext !== '.json' && ext !== '.csv') {
    return {
      ok: false,
      errors: [{ line: 0, message: `${basename(file.name)}: the file name must end in .json or .csv`, about: 'name' }],
    };
  }
  const loaded = ext === '.json' ? loadJson(text) : loadCsv(text, file.name);
  if ('errors' in loaded) return { ok: false, errors: loaded.errors };
  if (loaded.records.length === 0) return { ok: false, errors: [{ line: 1, message: 'the file holds no records' }] };

  const checked = checkRecords(loaded.records);

  try {
    const summary = await db.transaction().execute(async (trx) => {
      const done = await writeCatalogue(trx, checked, loaded.records, now(), dryRun);
      if (!dryRun) await onWritten?.(trx, done);
      return done;
    });
    return { ok: true, dryRun, ...summary };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, errors: err.errors };
    if (isUniqueViolation(err)) {
      return {
        ok: false,
        errors: [
          {
            line: 0,
            message: 'another change to the catalogue collided with this import; nothing was imported, run it again',
          },
        ],
      };
    }
    throw err;
  }
}

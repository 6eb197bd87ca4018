import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { AppError } from '../http/errors.js';
import { AccountsService } from '../modules/accounts/index.js';
import { parseYmd } from '../lib/dates.js';
import { isLegacyHash } from '../security/passwords.js';

export type ImportResult = { ok: true; imported: number } | { ok: false; errors: { row: number; message: string }[] };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * Imports accounts exported from the former Laravel backend: a JSON array of
 * { name, username, email, password (its bcrypt "$2y$..." hash), address?, gender?,
 * phone_number?, date_of_birth?, place_of_birth? }. All rows or none: a bad row is reported
 * by its number and nothing of the file is written.
 */
export async function importUsers(db: Db, config: Config, rows: unknown): Promise<ImportResult> {
  if (!Array.isArray(rows)) return { ok: false, errors: [{ row: 0, message: 'the file must hold a JSON array' }] };
  const errors: { row: number; message: string }[] = [];
  const valid = rows.map((raw, i) => {
    const row = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const problems: string[] = [];
    const name = text(row.name);
    const username = text(row.username);
    const email = text(row.email);
    const hash = text(row.password);
    if (!name) problems.push('name is required');
    // The same rule as registration; it also keeps an "@" out, so a username never reads as an email.
    if (!username || !/^[a-zA-Z]+\d*$/.test(username)) problems.push('username is missing or not letters then digits');
    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push('email is missing or invalid');
    if (!hash || !(isLegacyHash(hash) || hash.startsWith('$argon2id$'))) {
      problems.push('password must be a bcrypt ($2y$) or argon2id hash');
    }
    const gender = text(row.gender)?.toLowerCase();
    if (gender !== undefined && gender !== 'laki-laki' && gender !== 'perempuan') problems.push('gender is invalid');
    const dob = text(row.date_of_birth);
    if (dob !== undefined && parseYmd(dob) === undefined) problems.push('date_of_birth is not a Y-m-d date');
    if (problems.length > 0) errors.push({ row: i + 1, message: problems.join('; ') });
    return {
      input: {
        name: name ?? '',
        username: username ?? '',
        email: email ?? '',
        address: text(row.address) ?? '',
        gender: gender ?? null,
        phone_number: text(row.phone_number) ?? null,
        date_of_birth: dob ?? null,
        place_of_birth: text(row.place_of_birth) ?? null,
      },
      hash: hash ?? '',
    };
  });
  if (errors.length > 0) return { ok: false, errors };

  let current = 0;
  try {
    await db.transaction().execute(async (trx) => {
      const accounts = new AccountsService(trx, config);
      for (const [i, { input, hash }] of valid.entries()) {
        current = i + 1;
        await accounts.createAccount(input, hash);
      }
    });
  } catch (err) {
    if (err instanceof AppError && err.options.fields) {
      return {
        ok: false,
        errors: [{ row: current, message: `${Object.keys(err.options.fields).join(', ')} already taken` }],
      };
    }
    throw err;
  }
  return { ok: true, imported: valid.length };
}

import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import { hashPassword } from '../../security/passwords.js';
import { newId } from '../../security/tokens.js';
import { emailExists, insertUser, newUserRow } from '../accounts/index.js';
import { normalizeLogin } from '../accounts/index.js';
import { lockUsernames, usernameTaken } from '../accounts/index.js';
import { systemClock } from '../../clock.js';
import { ADMIN_PASSWORD_MIN_LENGTH } from '../accounts/index.js';

/** A bad `admins create` input, with a message meant for the operator. */
export class AdminInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminInputError';
  }
}

/** Letters of the email's local part, then its trailing digits: `siti.rahayu99@x` → `sitirahayu99`. */
function usernameBase(email: string): string {
  const local = (email.split('@')[0] ?? '')
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9]/g, '')
    .toLowerCase();
  const letters = local.replace(/[0-9]/g, '').slice(0, 40) || 'admin';
  const digits = /[0-9]+$/.exec(local)?.[0].slice(0, 6) ?? '';
  return letters + digits;
}

/**
 * Creates a back-office admin: a `users` row with role `admin`, an argon2id password hash, a
 * username made from the email (letters, then digits where needed to be unique) and an empty
 * address. A taken email (of any account) or a weak input is an AdminInputError.
 */
export async function createAdmin(
  db: Db,
  input: {
    name: string;
    email: string;
    password: string;
    /** operator (default): everything; hospital_admin: only `hospitalIds`. */
    role?: 'operator' | 'hospital_admin';
    hospitalIds?: readonly string[];
  },
  now: () => number = systemClock,
): Promise<{ id: string; username: string }> {
  const name = input.name.trim();
  const email = input.email.trim();
  if (name === '' || name.length > 100) throw new AdminInputError('the name must be 1 to 100 characters');
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new AdminInputError(`"${email}" is not a valid email address`);
  }
  if (input.password.length < ADMIN_PASSWORD_MIN_LENGTH) {
    throw new AdminInputError(`the password must be at least ${ADMIN_PASSWORD_MIN_LENGTH} characters`);
  }
  if (input.password.length > 128) throw new AdminInputError('the password may be at most 128 characters');
  const emailTaken = () => new AdminInputError(`an account with the email ${email} already exists`);
  if (await emailExists(db, normalizeLogin(email))) throw emailTaken();

  const passwordHash = await hashPassword(input.password);
  const base = usernameBase(email);
  let suffix = 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    let username = suffix === 1 ? base : `${base}${suffix}`;
    // One namespace with patients and the catalogue's doctors.
    while (await usernameTaken(db, username)) {
      suffix += 1;
      username = `${base}${suffix}`;
      if (suffix > 10_000) username = `${base}${randomBytes(4).readUInt32BE() % 1_000_000_000}`;
    }
    const at = now();
    const row = newUserRow(
      {
        id: newId(),
        role: 'admin',
        name,
        username,
        email,
        password_hash: passwordHash,
        address: '',
        admin_role: input.role ?? 'operator',
      },
      at,
    );
    try {
      const inserted = await db.transaction().execute(async (trx) => {
        await lockUsernames(trx);
        if (await usernameTaken(trx, username)) return false;
        await insertUser(trx, row);
        const hospitals = input.role === 'hospital_admin' ? [...new Set(input.hospitalIds ?? [])] : [];
        if (hospitals.length > 0) {
          await trx
            .insertInto('admin_hospitals')
            .values(hospitals.map((hospital_id) => ({ user_id: row.id, hospital_id })))
            .execute();
        }
        return true;
      });
      if (inserted) return { id: row.id, username };
      suffix += 1;
    } catch (err) {
      if (isUniqueViolation(err, 'email_normalized')) throw emailTaken();
      // Someone took the username meanwhile: try the next one.
      if (!isUniqueViolation(err, 'username_normalized')) throw err;
      suffix += 1;
    }
  }
  throw new AdminInputError('could not find a free username; try again');
}

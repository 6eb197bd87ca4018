import type { Db } from '../../db/index.js';
import { hashPassword } from '../../security/passwords.js';
import { newId } from '../../security/tokens.js';
import { insertUser, newUserRow } from '../accounts/index.js';
import { lockUsernames } from '../accounts/index.js';
import { DOCTOR_PASSWORD_MIN_LENGTH } from '../accounts/index.js';
import { systemClock } from '../../clock.js';

/** A doctor's password: at least this long, at creation and when changed. */

export class DoctorLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DoctorLoginError';
  }
}

/**
 * Gives a catalogue doctor a login: a `users` row of role doctor (username: the doctor's),
 * linked from the doctor record. One login per doctor.
 */
export async function createDoctorLogin(
  db: Db,
  input: { slug: string; email: string; password: string },
  now: number = systemClock(),
): Promise<{ userId: string; username: string }> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new DoctorLoginError(`${email} is not a valid email address`);
  if (input.password.length < DOCTOR_PASSWORD_MIN_LENGTH) {
    throw new DoctorLoginError(`the password must be at least ${DOCTOR_PASSWORD_MIN_LENGTH} characters`);
  }
  const hash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    // With every other write that takes a username (accounts/usernames.ts).
    await lockUsernames(trx);
    const doctor = await trx
      .selectFrom('doctors')
      .select(['id', 'name', 'username', 'user_id'])
      .where('slug', '=', input.slug)
      .executeTakeFirst();
    if (doctor === undefined) throw new DoctorLoginError(`no doctor ${input.slug}`);
    if (doctor.user_id !== null) throw new DoctorLoginError(`${input.slug} already has a login`);
    const taken = await trx
      .selectFrom('users')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('email_normalized', '=', email.toLowerCase()),
          eb('username_normalized', '=', doctor.username.toLowerCase()),
        ]),
      )
      .executeTakeFirst();
    if (taken) throw new DoctorLoginError('that email or the doctor username already belongs to an account');
    const userId = newId();
    await insertUser(
      trx,
      newUserRow(
        {
          id: userId,
          role: 'doctor',
          name: doctor.name,
          username: doctor.username,
          email,
          password_hash: hash,
          address: '',
        },
        now,
      ),
    );
    await trx.updateTable('doctors').set({ user_id: userId, updated_at: now }).where('id', '=', doctor.id).execute();
    return { userId, username: doctor.username };
  });
}

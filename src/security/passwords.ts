import { Algorithm, hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS);

/** bcrypt hashes imported from the former Laravel backend ($2y$, and the $2a$/$2b$ spellings). */
export const isLegacyHash = (stored: string): boolean => /^\$2[aby]\$\d\d\$/.test(stored);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    if (isLegacyHash(stored)) {
      // bcrypt reads only the first 72 bytes; $2y$ is PHP's name for the same algorithm as $2b$.
      return await bcrypt.compare(password, stored.replace(/^\$2y\$/, '$2b$'));
    }
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the time of a real check, so an unknown account answers as slowly as a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword('dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}

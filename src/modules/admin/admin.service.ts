import type { Db } from '../../db/index.js';

/** Creates an admin account (to be built). */
export async function createAdmin(
  _db: Db,
  _input: { name: string; email: string; password: string },
): Promise<{ id: string }> {
  throw new Error('createAdmin is not built yet');
}

import { sql, type Kysely } from 'kysely';

/**
 * The back office's browser sessions: their tokens belong to a built-in client app with no key
 * (a token is bound to the app it was issued in), so a session cookie is never a Bearer token
 * of a partner app, nor the other way round. Hidden from app listings; it cannot be revoked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO client_apps (id, name, hospital_scope, created_at, revoked_at)
    VALUES ('backoffice', 'Back office (browser sessions)', NULL, 0, NULL)`.execute(db);
}

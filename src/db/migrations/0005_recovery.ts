import type { Kysely } from 'kysely';

/**
 * Account recovery: single-use secrets sent by email (password reset, email verification),
 * the addresses an account has proved it owns, and the requests counted for rate limits.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recovery_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'password_reset' or 'email_verification'.
    .addColumn('purpose', 'text', (c) => c.notNull())
    // Only a SHA-256 of the secret: a stolen database holds no usable link.
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    // The address the secret was sent to: verifying proves that one address, not a later one.
    .addColumn('email_normalized', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('recovery_secrets_secret_hash_unique')
    .on('recovery_secrets')
    .column('secret_hash')
    .unique()
    .execute();
  await db.schema
    .createIndex('recovery_secrets_user_purpose_idx')
    .on('recovery_secrets')
    .columns(['user_id', 'purpose'])
    .execute();

  await db.schema
    .createTable('verified_emails')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('email_normalized', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('recovery_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // 'forgot' or 'resend'.
    .addColumn('kind', 'text', (c) => c.notNull())
    // A hash of the normalised login name (known or not, so a limit reveals nothing) or a user id.
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('recovery_requests_kind_subject_idx')
    .on('recovery_requests')
    .columns(['kind', 'subject', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_requests').execute();
  await db.schema.dropTable('verified_emails').execute();
  await db.schema.dropTable('recovery_secrets').execute();
}

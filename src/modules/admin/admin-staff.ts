import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { hashPassword } from '../../security/passwords.js';
import { AdminInputError, createAdmin } from './admin-accounts.js';
import { writeAudit } from './admin-audit.js';
import { ADMIN_PASSWORD_MIN_LENGTH } from '../accounts/index.js';

/** An admin account as the staff page shows it: never its password or tokens. */
export interface StaffResource {
  id: string;
  name: string;
  email: string;
  role: 'operator' | 'hospital_admin';
  hospitals: { slug: string; name: string }[];
  disabled_at: string | null;
  created_at: string;
}

export interface StaffInput {
  name?: string;
  email?: string;
  password?: string;
  role?: 'operator' | 'hospital_admin';
  hospitals?: string[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/**
 * Back-office staff (operators only): create, change role and hospitals, disable and enable,
 * set a new password. Disabling or a new password ends every session of the account at once.
 * An operator cannot disable or demote their own account, so there is always one left.
 */
export class AdminStaff {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  async list(): Promise<StaffResource[]> {
    const users = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'email', 'admin_role', 'disabled_at', 'created_at'])
      .where('role', '=', 'admin')
      .orderBy('name')
      .orderBy('id')
      .execute();
    const links = await this.db
      .selectFrom('admin_hospitals')
      .innerJoin('hospitals', 'hospitals.id', 'admin_hospitals.hospital_id')
      .select(['admin_hospitals.user_id', 'hospitals.slug', 'hospitals.name'])
      .orderBy('hospitals.name')
      .execute();
    return users.map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: u.admin_role === 'hospital_admin' ? 'hospital_admin' : 'operator',
      hospitals: links.filter((l) => l.user_id === u.id).map((l) => ({ slug: l.slug, name: l.name })),
      disabled_at: iso(u.disabled_at),
      created_at: iso(u.created_at)!,
    }));
  }

  async get(id: string): Promise<StaffResource> {
    const found = (await this.list()).find((s) => s.id === id);
    if (found === undefined) throw new AppError('STAFF_NOT_FOUND');
    return found;
  }

  /** Hospital slugs to ids; an unknown one is a 422 on `hospitals`. */
  private async hospitalIds(slugs: readonly string[]): Promise<string[]> {
    const unique = [...new Set(slugs.map((s) => s.trim()))];
    if (unique.length === 0) return [];
    const rows = await this.db.selectFrom('hospitals').select(['id', 'slug']).where('slug', 'in', unique).execute();
    if (rows.length !== unique.length) throw AppError.field('hospitals', 'unknownReference');
    return rows.map((r) => r.id);
  }

  async create(actorId: string, input: Required<Pick<StaffInput, 'name' | 'email' | 'password'>> & StaffInput) {
    if (input.name.trim() === '') throw AppError.field('name', 'required');
    const role = input.role ?? 'operator';
    const hospitalIds = role === 'hospital_admin' ? await this.hospitalIds(input.hospitals ?? []) : [];
    if (input.password.length < ADMIN_PASSWORD_MIN_LENGTH) {
      throw AppError.field('password', 'minLength', { limit: ADMIN_PASSWORD_MIN_LENGTH });
    }
    let created: { id: string };
    try {
      created = await createAdmin(this.db, { ...input, role, hospitalIds }, this.now);
    } catch (err) {
      if (!(err instanceof AdminInputError)) throw err;
      // createAdmin words its refusals for the CLI: here each goes on its field.
      if (/already exists/.test(err.message)) throw AppError.field('email', 'emailTaken');
      if (/email/.test(err.message)) throw AppError.field('email', 'email');
      if (/name/.test(err.message)) throw AppError.field('name', 'maxLength', { limit: 100 });
      throw AppError.field('password', 'maxLength', { limit: 128 });
    }
    const staff = await this.get(created.id);
    await writeAudit(
      this.db,
      actorId,
      [{ action: 'create', entity: 'admin_account', entityId: staff.id, before: null, after: staff }],
      this.now(),
    );
    return staff;
  }

  async update(actorId: string, id: string, input: StaffInput): Promise<StaffResource> {
    if (input.name !== undefined && input.name.trim() === '') throw AppError.field('name', 'required');
    const before = await this.get(id);
    if (id === actorId && input.role !== undefined && input.role !== before.role) throw new AppError('STAFF_SELF');
    const role = input.role ?? before.role;
    const hospitalIds =
      input.hospitals !== undefined
        ? await this.hospitalIds(input.hospitals)
        : role === 'hospital_admin'
          ? await this.hospitalIds(before.hospitals.map((h) => h.slug))
          : [];
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          admin_role: role,
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
      await trx.deleteFrom('admin_hospitals').where('user_id', '=', id).execute();
      if (role === 'hospital_admin' && hospitalIds.length > 0) {
        await trx
          .insertInto('admin_hospitals')
          .values(hospitalIds.map((hospital_id) => ({ user_id: id, hospital_id })))
          .execute();
      }
    });
    const after = await this.get(id);
    await writeAudit(
      this.db,
      actorId,
      [{ action: 'update', entity: 'admin_account', entityId: id, before, after }],
      at,
    );
    return after;
  }

  /** Disabled: no sign-in, and every token of the account stops working now. */
  async setDisabled(actorId: string, id: string, disabled: boolean): Promise<StaffResource> {
    const before = await this.get(id);
    if (id === actorId && disabled) throw new AppError('STAFF_SELF');
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ disabled_at: disabled ? (before.disabled_at === null ? at : Date.parse(before.disabled_at)) : null })
        .where('id', '=', id)
        .execute();
      if (disabled) {
        await trx
          .updateTable('access_tokens')
          .set({ revoked_at: at })
          .where('user_id', '=', id)
          .where('revoked_at', 'is', null)
          .execute();
      }
    });
    const after = await this.get(id);
    await writeAudit(
      this.db,
      actorId,
      [{ action: disabled ? 'disable' : 'enable', entity: 'admin_account', entityId: id, before, after }],
      at,
    );
    return after;
  }

  /** A new password set by an operator (told to the person by other means); their sessions end. */
  async resetPassword(actorId: string, id: string, password: string): Promise<StaffResource> {
    const staff = await this.get(id);
    if (password.length < ADMIN_PASSWORD_MIN_LENGTH) {
      throw AppError.field('password', 'minLength', { limit: ADMIN_PASSWORD_MIN_LENGTH });
    }
    const hash = await hashPassword(password);
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash, updated_at: at }).where('id', '=', id).execute();
      // Every session of the account ends: they sign in again with the new password.
      await trx
        .updateTable('access_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    });
    // The audit says that it happened, never the password.
    await writeAudit(
      this.db,
      actorId,
      [{ action: 'reset_password', entity: 'admin_account', entityId: id, before: null, after: { id: staff.id } }],
      at,
    );
    return staff;
  }
}

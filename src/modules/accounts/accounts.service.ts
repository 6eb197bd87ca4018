import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError, type FieldProblems } from '../../http/errors.js';
import { IdentityCipher } from '../../security/identity-cipher.js';
import { hashPassword, isLegacyHash, verifyAgainstDummy, verifyPassword } from '../../security/passwords.js';
import { newId, newSecret, sha256 } from '../../security/tokens.js';
import * as repo from './accounts.repository.js';
import type { UserRow } from './accounts.repository.js';
import { processAvatar } from './avatar.js';
import {
  idFamily,
  idNumberProblem,
  isIdType,
  isUnissuedNumber,
  type IdType,
  maskIdNumber,
  normalizeIdNumber,
} from './identity.js';
import { parseYmd } from '../../lib/dates.js';
import { LoginGuard } from './login-guard.js';
import { inTransaction, lockUsernames, usernameTaken } from './usernames.js';
import * as sessions from './sessions.repository.js';
import { systemClock } from '../../clock.js';

/** The user resource: what clients see of an account. Never the hash, never the clear number. */
export interface UserResource {
  user_id: string;
  name: string;
  username: string;
  email: string;
  address: string | null;
  gender: string | null;
  phone_number: string | null;
  date_of_birth: string | null;
  place_of_birth: string | null;
  type: string | null;
  no_type: string | null;
  thumb: string | null;
  created_at: string;
  updated_at: string;
}

export const avatarPath = (imageId: string): string => `/files/avatars/${imageId}.jpg`;

export function toUserResource(row: UserRow, baseUrl: string): UserResource {
  return {
    user_id: row.id,
    name: row.name,
    username: row.username,
    email: row.email,
    address: row.address,
    gender: row.gender,
    phone_number: row.phone_number,
    date_of_birth: row.date_of_birth,
    place_of_birth: row.place_of_birth,
    type: row.id_type,
    no_type: row.id_number_masked,
    thumb: row.avatar_image_id === null ? null : baseUrl + avatarPath(row.avatar_image_id),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export interface Session {
  user: UserRow;
  tokenId: string;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_at: string;
}

export interface RegisterInput {
  name: string;
  address: string;
  username: string;
  email: string;
  password: string;
}

/** Profile fields an import may carry as they are. */
export interface ProfileFields {
  gender: string | null;
  phone_number: string | null;
  date_of_birth: string | null;
  place_of_birth: string | null;
}

export interface ProfileInput {
  name?: string;
  address?: string | null;
  gender?: string | null;
  phone_number?: string | null;
  type?: string | null;
  no_type?: string | null;
  date_of_birth?: string | null;
  place_of_birth?: string | null;
}

const GENDERS = ['laki-laki', 'perempuan'];

export const normalizeLogin = (value: string): string => value.trim().toLowerCase();

export class AccountsService {
  private readonly guard: LoginGuard;
  private readonly cipher: IdentityCipher;

  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'tokenTtlDays' | 'limits' | 'identityKeys' | 'identityHmacKey'>,
    private readonly now: () => number = systemClock,
  ) {
    this.guard = new LoginGuard(db, config.limits, now);
    this.cipher = new IdentityCipher(config.identityKeys, config.identityHmacKey);
  }

  async register(input: RegisterInput, appId: string, ip: string): Promise<{ user: UserRow; token: IssuedToken }> {
    const user = await this.createAccount(input, await hashPassword(input.password));
    await this.guard.recordSuccess(user.id, ip);
    return { user, token: await this.issueToken(user.id, appId) };
  }

  /**
   * A new patient account with a password hash already made (argon2id, or bcrypt for accounts
   * imported from the Laravel backend). Taken usernames and emails are a 422.
   */
  async createAccount(
    input: Omit<RegisterInput, 'password'> & Partial<ProfileFields>,
    passwordHash: string,
  ): Promise<UserRow> {
    const username = input.username.trim();
    const email = input.email.trim();
    const problems: FieldProblems = {};
    // Usernames are one namespace with the catalogue's doctors (and every role's accounts).
    if (await usernameTaken(this.db, username)) problems.username = [{ key: 'usernameTaken' }];
    if (await repo.emailExists(this.db, normalizeLogin(email))) problems.email = [{ key: 'emailTaken' }];
    if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });

    const now = this.now();
    const row = repo.newUserRow(
      {
        id: newId(),
        role: 'patient',
        name: input.name.trim(),
        username,
        email,
        password_hash: passwordHash,
        address: input.address.trim(),
        gender: input.gender ?? null,
        phone_number: input.phone_number ?? null,
        date_of_birth: input.date_of_birth ?? null,
        place_of_birth: input.place_of_birth ?? null,
      },
      now,
    );
    try {
      await inTransaction(this.db, async (trx) => {
        // Checked again under the lock: a doctor created meanwhile is in no unique index of users.
        await lockUsernames(trx);
        if (await usernameTaken(trx, username)) throw AppError.field('username', 'usernameTaken');
        await repo.insertUser(trx, row);
      });
    } catch (err) {
      // Two registrations racing for one name: the unique index decides, the loser gets a 422.
      if (isUniqueViolation(err, 'username_normalized')) throw AppError.field('username', 'usernameTaken');
      if (isUniqueViolation(err, 'email_normalized')) throw AppError.field('email', 'emailTaken');
      throw err;
    }
    return row;
  }

  findByLogin(login: string): Promise<UserRow | undefined> {
    return repo.findUserByLogin(this.db, normalizeLogin(login));
  }

  async isAvailable(type: 'username' | 'email', value: string): Promise<boolean> {
    const normalized = normalizeLogin(value);
    return type === 'username'
      ? !(await usernameTaken(this.db, normalized))
      : !(await repo.emailExists(this.db, normalized));
  }

  /**
   * Same answer and about the same time whether the account is unknown or the password wrong.
   * The lockout is checked first, so while locked even the right password gets the 429.
   */
  async login(
    login: string,
    password: string,
    appId: string,
    ip: string,
    role: UserRow['role'] = 'patient',
    ttlMs?: number,
  ): Promise<{ user: UserRow; token: IssuedToken }> {
    const normalized = normalizeLogin(login);
    const found = await repo.findUserByLogin(this.db, normalized);
    // Each role logs in at its own route; another role's account answers as an unknown one.
    const user = found?.role === role ? found : undefined;
    const subject = user?.id ?? `unknown:${sha256(normalized)}`;
    const attempt = await this.guard.begin(subject, ip, user?.id);
    const ok =
      user === undefined
        ? (await verifyAgainstDummy(password), false)
        : await verifyPassword(user.password_hash, password);
    if (!ok || user === undefined) {
      await this.guard.failed(attempt);
      throw new AppError('INVALID_CREDENTIALS');
    }
    // Only after the right password: a disabled account says so to its owner, no one else.
    if (user.disabled_at !== null) {
      await this.guard.succeeded(attempt, user.id);
      throw new AppError('ACCOUNT_DISABLED');
    }
    if (isLegacyHash(user.password_hash)) {
      // Accounts from the Laravel backend move to argon2id the first time their password is seen.
      user.password_hash = await hashPassword(password);
      await repo.updateUser(this.db, user.id, { password_hash: user.password_hash });
    }
    await this.guard.succeeded(attempt, user.id);
    return { user, token: await this.issueToken(user.id, appId, ttlMs) };
  }

  /** A new token; `ttlMs` shortens its life (a browser session's hours instead of TOKEN_TTL_DAYS). */
  async issueToken(userId: string, appId: string, ttlMs?: number): Promise<IssuedToken> {
    const token = newSecret('cxp');
    const now = this.now();
    const expiresAt = now + (ttlMs ?? this.config.tokenTtlDays * 86_400_000);
    await sessions.insertToken(this.db, {
      id: newId(),
      token_hash: sha256(token),
      user_id: userId,
      app_id: appId,
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    });
    return { access_token: token, token_type: 'Bearer', expires_at: new Date(expiresAt).toISOString() };
  }

  /** The session of a bearer token, only with the key of the app it was issued in. */
  async authenticate(token: string, appId: string): Promise<Session | undefined> {
    const row = await sessions.findSession(this.db, sha256(token), this.now());
    if (row === undefined || row.token_app_id !== appId) return undefined;
    const { token_id, token_app_id: _app, ...user } = row;
    return { user, tokenId: token_id };
  }

  async logout(session: Session): Promise<void> {
    await sessions.revokeToken(this.db, session.tokenId, this.now());
  }

  /** Every token of the account ends: this one and those of its other devices and apps. */
  async logoutEverywhere(session: Session): Promise<void> {
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      await sessions.revokeOtherTokens(trx, session.user.id, session.tokenId, now);
      await sessions.revokeToken(trx, session.tokenId, now);
    });
  }

  async changePassword(session: Session, current: string, next: string, ip: string): Promise<void> {
    const { user } = session;
    const attempt = await this.guard.begin(user.id, ip, user.id);
    if (!(await verifyPassword(user.password_hash, current))) {
      await this.guard.failed(attempt);
      throw AppError.field('current_password', 'currentPasswordWrong');
    }
    await this.guard.passed(attempt);
    if (current === next) throw AppError.field('new_password', 'newPasswordSame');
    const now = this.now();
    const hash = await hashPassword(next);
    await this.db.transaction().execute(async (trx) => {
      // Only over the password this request checked: of two changes at once, one wins.
      const changed = await repo.replacePasswordHash(trx, user.id, user.password_hash, hash, now);
      if (!changed) throw new AppError('PASSWORD_CHANGED_MEANWHILE');
      await sessions.revokeOtherTokens(trx, user.id, session.tokenId, now);
    });
  }

  /**
   * The password asked again before a grave act (deleting the account): a wrong one counts as a
   * failed login and the lockout applies, as for change-password. 422 on `field` when wrong.
   */
  async confirmPassword(user: UserRow, password: string, ip: string, field = 'password'): Promise<void> {
    const attempt = await this.guard.begin(user.id, ip, user.id);
    if (!(await verifyPassword(user.password_hash, password))) {
      await this.guard.failed(attempt);
      throw AppError.field(field, 'currentPasswordWrong');
    }
    await this.guard.passed(attempt);
  }

  /** Whether the session's token was issued (by a login) less than `maxAgeMs` ago. */
  async isRecentLogin(session: Session, maxAgeMs: number): Promise<boolean> {
    const issuedAt = await sessions.tokenIssuedAt(this.db, session.tokenId);
    return issuedAt !== undefined && this.now() - issuedAt < maxAgeMs;
  }

  async updateProfile(user: UserRow, input: ProfileInput): Promise<UserRow> {
    const problems: FieldProblems = {};
    const patch: Partial<UserRow> = {};
    const trimmedOrNull = (v: string | null): string | null => (v === null || v.trim() === '' ? null : v.trim());

    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.address !== undefined) patch.address = trimmedOrNull(input.address);
    if (input.place_of_birth !== undefined) patch.place_of_birth = trimmedOrNull(input.place_of_birth);
    if (input.gender !== undefined) {
      const gender = trimmedOrNull(input.gender)?.toLowerCase() ?? null;
      if (gender !== null && !GENDERS.includes(gender)) {
        problems.gender = [{ key: 'oneOf', params: { values: GENDERS.join(', ') } }];
      } else patch.gender = gender;
    }
    if (input.phone_number !== undefined) {
      const phone = trimmedOrNull(input.phone_number)?.replace(/[\s()-]/g, '') ?? null;
      if (phone !== null && !/^\+?\d{8,15}$/.test(phone)) problems.phone_number = [{ key: 'phoneFormat' }];
      else patch.phone_number = phone;
    }
    if (input.date_of_birth !== undefined) {
      const dob = trimmedOrNull(input.date_of_birth);
      const parsed = dob === null ? undefined : parseYmd(dob);
      if (dob !== null && (parsed === undefined || parsed.year < 1900)) problems.date_of_birth = [{ key: 'date' }];
      else if (dob !== null && dob > new Date(this.now()).toISOString().slice(0, 10)) {
        problems.date_of_birth = [{ key: 'dateInFuture' }];
      } else patch.date_of_birth = dob;
    }
    this.applyIdentity(user, input, patch, problems);
    if (typeof patch.id_number_hmac === 'string') {
      // Looked up for every new number, unissued or not, so the two refusals also take alike long.
      const holder = await repo.idNumberHolder(this.db, patch.id_number_hmac);
      const unissued = isUnissuedNumber(patch.id_type as IdType, normalizeIdNumber(input.no_type!));
      if (unissued || (holder !== undefined && holder !== user.id)) problems.no_type = [{ key: 'idNumberUnusable' }];
    }
    if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
    if (Object.keys(patch).length === 0) return user;

    patch.updated_at = this.now();
    try {
      await repo.updateUser(this.db, user.id, patch);
    } catch (err) {
      // Taken meanwhile by another account: the same answer as above.
      if (isUniqueViolation(err, 'id_number_hmac')) throw AppError.field('no_type', 'idNumberUnusable');
      throw err;
    }
    return { ...user, ...patch };
  }

  /**
   * Whether an update asks to set an identity number (not clear it, not echo the masked one
   * back): such attempts are rate-limited, so no_type cannot be used to probe for numbers.
   */
  isIdentityChange(user: UserRow, input: ProfileInput): boolean {
    const raw = input.no_type;
    if (typeof raw !== 'string' || raw.trim() === '') return false;
    const number = normalizeIdNumber(raw);
    return !(number.includes('*') && number === user.id_number_masked);
  }

  /** type and no_type: validated together, encrypted, masked, and unique across accounts. */
  private applyIdentity(user: UserRow, input: ProfileInput, patch: Partial<UserRow>, problems: FieldProblems): void {
    // Form posts send "" for an empty field: that clears, like null.
    const blankToNull = (v: string | null | undefined) => (typeof v === 'string' && v.trim() === '' ? null : v);
    const rawType = blankToNull(input.type);
    const rawNumber = blankToNull(input.no_type);
    if (rawType === undefined && rawNumber === undefined) return;
    if (rawNumber === null || (rawType === null && rawNumber === undefined)) {
      Object.assign(patch, { id_type: null, id_number_enc: null, id_number_masked: null, id_number_hmac: null });
      return;
    }
    const typeText = rawType?.trim().toLowerCase();
    if (typeText !== undefined && !isIdType(typeText)) {
      problems.type = [{ key: 'oneOf', params: { values: 'ktp, nik, passport, kitas' } }];
      return;
    }
    const type = typeText ?? user.id_type ?? undefined;
    const number = rawNumber === undefined ? undefined : normalizeIdNumber(rawNumber);
    // Apps echo back the masked number they were shown: that means "unchanged".
    const unchanged = number === undefined || (number.includes('*') && number === user.id_number_masked);
    if (unchanged) {
      if (type === undefined || !isIdType(type)) {
        problems.no_type = [{ key: 'required' }];
      } else if (
        user.id_number_enc === null ||
        !isIdType(user.id_type ?? '') ||
        idFamily(type) !== idFamily(user.id_type as IdType)
      ) {
        problems.no_type = [{ key: 'numberRequiredWithType' }];
      } else patch.id_type = type;
      return;
    }
    if (type === undefined || !isIdType(type)) {
      problems.type = [{ key: 'typeRequiredWithNumber' }];
      return;
    }
    const problem = idNumberProblem(type, number);
    if (problem) {
      problems.no_type = [problem];
      return;
    }
    patch.id_type = type;
    patch.id_number_enc = this.cipher.encrypt(number, user.id);
    patch.id_number_masked = maskIdNumber(number);
    patch.id_number_hmac = this.cipher.uniquenessHash(idFamily(type), number);
  }

  /**
   * Finishes a key rotation: every identity number not yet under the active key is
   * re-encrypted with it, after which older keys may be dropped from the config.
   */
  async rekeyIdentityNumbers(): Promise<number> {
    let count = 0;
    for (const row of await repo.usersWithIdNumberNotUnderKey(this.db, this.cipher.activeKeyId)) {
      const plain = this.cipher.decrypt(row.id_number_enc, row.id);
      await repo.updateUser(this.db, row.id, { id_number_enc: this.cipher.encrypt(plain, row.id) });
      count += 1;
    }
    return count;
  }

  /** The clear identity number, for its owner's own export only. */
  revealIdNumber(user: UserRow): string | null {
    return user.id_number_enc === null ? null : this.cipher.decrypt(user.id_number_enc, user.id);
  }

  async setAvatar(user: UserRow, file: string, type: string | undefined): Promise<UserRow> {
    const image = await processAvatar(file, type);
    const imageId = newId();
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      await repo.insertImage(trx, {
        id: imageId,
        owner_user_id: user.id,
        content_type: image.contentType,
        bytes: image.bytes,
        width: image.width,
        height: image.height,
        created_at: now,
      });
      await repo.updateUser(trx, user.id, { avatar_image_id: imageId, updated_at: now });
      // Every earlier avatar goes, not just the one this request saw: uploads may race.
      await repo.deleteImagesOfOwnerExcept(trx, user.id, imageId);
    });
    return { ...user, avatar_image_id: imageId, updated_at: now };
  }

  async findImage(imageId: string) {
    return repo.findImage(this.db, imageId);
  }
}

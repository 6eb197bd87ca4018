import { randomBytes } from 'node:crypto';
import type { RecoveryConfig } from '../../config.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import type { Lang } from '../../http/i18n.js';
import { hashPassword } from '../../security/passwords.js';
import { newId, sha256 } from '../../security/tokens.js';
import { findUserById, findUserByLogin, type UserRow } from '../accounts/index.js';
import { normalizeLogin } from '../accounts/index.js';
import type { Mailer } from '../mail/index.js';
import { emailVerificationMail, passwordChangedMail, passwordResetMail } from '../mail/index.js';
import * as repo from './recovery.repository.js';
import { systemClock } from '../../clock.js';

const HOUR = 3_600_000;

export interface EmailStatus {
  email: string;
  email_verified: boolean;
  verified_at: string | null;
}

/** The part of the app's logger this service uses (errors of work done after the answer). */
export interface RecoveryLog {
  error(obj: object, msg: string): void;
}

/** `base?token=...`: the app page that takes the secret, when the operator set one. */
function linkTo(base: string | undefined, token: string): string | undefined {
  if (base === undefined) return undefined;
  return `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/**
 * Password reset and email verification. Secrets are 256 random bits sent by email and kept
 * only as a SHA-256; each works once and for a limited time. Mails go out after the answer
 * (`later`): the answer's timing then says nothing about whether an account exists, and a slow
 * or failing mail server neither slows nor fails the request (failures are logged).
 */
export class RecoveryService {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly config: RecoveryConfig,
    private readonly mailer: Mailer,
    private readonly log: RecoveryLog,
    private readonly now: () => number = systemClock,
  ) {}

  /** Runs work after the answer; `drain` waits for it (the app's close does). */
  private later(what: string, work: () => Promise<void>): void {
    const task: Promise<void> = work()
      .catch((err: unknown) => this.log.error({ err, what }, 'account mail not sent'))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** At most `max` requests of this kind for this subject an hour, counted in the database (every process). */
  private async limit(kind: 'forgot' | 'resend', subject: string, max: number): Promise<void> {
    const now = this.now();
    const times = await repo.requestTimes(this.db, kind, subject, now - HOUR);
    if (times.length >= max) {
      const seconds = Math.max(1, Math.ceil((times[times.length - max]! + HOUR - now) / 1000));
      throw new AppError('TOO_MANY_REQUESTS', { headers: { 'retry-after': String(seconds) } });
    }
    await repo.insertRequest(this.db, { id: newId(), kind, subject, created_at: now });
    // Counts older than an hour and secrets expired a day ago serve nothing; sweep them now and then.
    if (Math.random() < 0.02) {
      await repo.deleteRequestsBefore(this.db, now - 24 * HOUR);
      await repo.deleteSecretsExpiredBefore(this.db, now - 24 * HOUR);
    }
  }

  private async issueSecret(user: UserRow, purpose: repo.Purpose, ttlMs: number): Promise<string> {
    const token = `${purpose === 'password_reset' ? 'cxr' : 'cxv'}_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    await repo.insertSecret(this.db, {
      id: newId(),
      user_id: user.id,
      purpose,
      secret_hash: sha256(token),
      email_normalized: user.email_normalized,
      created_at: now,
      expires_at: now + ttlMs,
      used_at: null,
    });
    return token;
  }

  /**
   * A reset link to the account with this email or username, if there is one (patients and
   * doctors; admin accounts are reset by the operator). The answer is the same either way; the
   * per-name limit counts unknown names too, so a 429 reveals nothing either.
   */
  async forgotPassword(login: string, lang: Lang): Promise<void> {
    const normalized = normalizeLogin(login);
    await this.limit('forgot', sha256(`forgot:${normalized}`), this.config.forgotPerAccountPerHour);
    this.later('password reset', async () => {
      const user = await findUserByLogin(this.db, normalized);
      if (user === undefined || user.role === 'admin') return;
      const minutes = this.config.resetTtlMinutes;
      const code = await this.issueSecret(user, 'password_reset', minutes * 60_000);
      const link = linkTo(this.config.passwordResetUrl, code);
      await this.mailer.send(passwordResetMail(lang, user.email, { name: user.name, code, link, minutes }));
    });
  }

  /**
   * The new password, in one transaction: the secret used (with every other reset secret of the
   * account), the hash replaced, every session ended, failed logins forgotten, and the address
   * counted as verified (the link reached it). Then a notice to the account's address.
   */
  async resetPassword(token: string, password: string, lang: Lang): Promise<void> {
    // Hashed first: slow, and the same work whether the token is good or not.
    const passwordHash = await hashPassword(password);
    const now = this.now();
    const user = await this.db.transaction().execute(async (trx) => {
      const secret = await repo.findSecret(trx, 'password_reset', sha256(token));
      if (secret === undefined || secret.used_at !== null || secret.expires_at <= now) {
        throw new AppError('RESET_TOKEN_INVALID');
      }
      // Of two resets with one link at once, one wins.
      if (!(await repo.useSecret(trx, secret.id, now))) throw new AppError('RESET_TOKEN_INVALID');
      await repo.useAllSecrets(trx, secret.user_id, 'password_reset', now);
      const row = await findUserById(trx, secret.user_id);
      if (row === undefined) throw new AppError('RESET_TOKEN_INVALID');
      await repo.setPassword(trx, row.id, passwordHash, now);
      await repo.revokeAllTokens(trx, row.id, now);
      if (row.email_normalized === secret.email_normalized) {
        const verified = await repo.findVerifiedEmail(trx, row.id);
        if (verified?.email_normalized !== row.email_normalized) {
          await repo.markEmailVerified(trx, row.id, row.email_normalized, now);
        }
      }
      return row;
    });
    this.later('password changed notice', () =>
      this.mailer.send(passwordChangedMail(lang, user.email, { name: user.name })),
    );
  }

  /** After a registration: a confirmation link to the address given. */
  afterRegistration(user: UserRow, lang: Lang): void {
    this.later('email verification', () => this.sendVerification(user, lang));
  }

  private async sendVerification(user: UserRow, lang: Lang): Promise<void> {
    const hours = this.config.verifyTtlHours;
    const code = await this.issueSecret(user, 'email_verification', hours * HOUR);
    const link = linkTo(this.config.emailVerifyUrl, code);
    await this.mailer.send(emailVerificationMail(lang, user.email, { name: user.name, code, link, hours }));
  }

  /** Another confirmation link (earlier ones keep working until they expire). */
  async resendVerification(user: UserRow, lang: Lang): Promise<void> {
    if (await repo.isEmailVerified(this.db, user.id, user.email_normalized)) {
      throw new AppError('EMAIL_ALREADY_VERIFIED');
    }
    await this.limit('resend', user.id, this.config.resendPerAccountPerHour);
    this.later('email verification', () => this.sendVerification(user, lang));
  }

  /**
   * Confirms the address a link was sent to, if it is still the account's. The same link again
   * answers the same (a second click is not an error); an expired one, or one for an address
   * the account no longer has, is refused.
   */
  async verifyEmail(token: string): Promise<EmailStatus> {
    const now = this.now();
    return this.db.transaction().execute(async (trx) => {
      const secret = await repo.findSecret(trx, 'email_verification', sha256(token));
      const user = secret === undefined ? undefined : await findUserById(trx, secret.user_id);
      if (secret === undefined || user === undefined || user.email_normalized !== secret.email_normalized) {
        throw new AppError('VERIFICATION_TOKEN_INVALID');
      }
      const verified = await repo.findVerifiedEmail(trx, user.id);
      if (verified?.email_normalized === user.email_normalized) {
        if (secret.used_at === null) await repo.useAllSecrets(trx, user.id, 'email_verification', now);
        return { email: user.email, email_verified: true, verified_at: new Date(verified.verified_at).toISOString() };
      }
      if (secret.used_at !== null || secret.expires_at <= now || !(await repo.useSecret(trx, secret.id, now))) {
        throw new AppError('VERIFICATION_TOKEN_INVALID');
      }
      await repo.useAllSecrets(trx, user.id, 'email_verification', now);
      await repo.markEmailVerified(trx, user.id, user.email_normalized, now);
      return { email: user.email, email_verified: true, verified_at: new Date(now).toISOString() };
    });
  }

  async emailStatus(user: UserRow): Promise<EmailStatus> {
    const verified = await repo.findVerifiedEmail(this.db, user.id);
    const current = verified?.email_normalized === user.email_normalized ? verified : undefined;
    return {
      email: user.email,
      email_verified: current !== undefined,
      verified_at: current === undefined ? null : new Date(current.verified_at).toISOString(),
    };
  }
}

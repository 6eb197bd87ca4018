import type { LimitsConfig } from '../../config.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { newId } from '../../security/tokens.js';
import * as sessions from './sessions.repository.js';
import { systemClock } from '../../clock.js';

const HOUR = 3_600_000;
const KNOWN_ADDRESS_DAYS = 90;

/** A login attempt counted before its password is checked (see LoginGuard.begin). */
export interface LoginAttempt {
  id: string;
  subject: string;
  ip: string;
}

/**
 * Brute-force protection for one account (or one unknown login name, so that a lockout
 * does not reveal whether an account exists):
 * - too many failures from one address within the window lock that address out;
 * - too many failures from all addresses within an hour lock out every address except those
 *   the patient has logged in from before, so an attacker cannot lock a patient out everywhere.
 * Failures live in the database, so every API process sees the same counts. An attempt is
 * written before its password is checked and counts as a failure until it succeeds, so
 * attempts made at once (in one process or several) see each other: a burst of wrong
 * passwords gets no more tries than the limit.
 */
export class LoginGuard {
  constructor(
    private readonly db: Db,
    private readonly limits: LimitsConfig,
    private readonly now: () => number = systemClock,
  ) {}

  /**
   * Counts an attempt, then checks the limits against the attempts before it (finished ones
   * and those still being checked); a locked-out attempt is not counted and throws
   * LOGIN_LOCKED. The attempt stays a failure unless `succeeded` is called.
   */
  async begin(subject: string, ip: string, userId: string | undefined): Promise<LoginAttempt> {
    const attempt = { id: newId(), subject, ip };
    await sessions.insertLoginFailure(this.db, { ...attempt, created_at: this.now() });
    try {
      await this.check(subject, ip, userId, attempt.id);
    } catch (err) {
      await sessions.deleteLoginFailure(this.db, attempt.id);
      throw err;
    }
    return attempt;
  }

  /** The password was wrong: the attempt stays counted. */
  async failed(_attempt: LoginAttempt): Promise<void> {
    // Failures older than a day count for nothing; sweep them now and then.
    if (Math.random() < 0.02) await sessions.deleteLoginFailuresBefore(this.db, this.now() - 24 * HOUR);
  }

  /** The password was right: the attempt is no failure. */
  async passed(attempt: LoginAttempt): Promise<void> {
    await sessions.deleteLoginFailure(this.db, attempt.id);
  }

  /** A login with the right password: no failure, and the address becomes a known one. */
  async succeeded(attempt: LoginAttempt, userId: string): Promise<void> {
    await this.passed(attempt);
    await this.recordSuccess(userId, attempt.ip);
  }

  private async check(subject: string, ip: string, userId: string | undefined, exceptId: string): Promise<void> {
    const now = this.now();
    const window = this.limits.loginFailureWindowMinutes * 60_000;
    const perAddress = this.limits.loginFailuresPerAddress;
    const fromAddress = await sessions.loginFailureTimes(this.db, subject, now - window, ip, exceptId);
    let retryAt: number | undefined;
    if (fromAddress.length >= perAddress) {
      // Locked until enough of the failures leave the window.
      retryAt = fromAddress[fromAddress.length - perAddress]! + window;
    } else {
      const perAccount = this.limits.loginFailuresPerAccountPerHour;
      const fromAll = await sessions.loginFailureTimes(this.db, subject, now - HOUR, undefined, exceptId);
      if (fromAll.length >= perAccount) {
        const known =
          userId !== undefined &&
          (await sessions.isKnownAddress(this.db, userId, ip, now - KNOWN_ADDRESS_DAYS * 24 * HOUR));
        if (!known) retryAt = fromAll[fromAll.length - perAccount]! + HOUR;
      }
    }
    if (retryAt !== undefined) {
      const seconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
      throw new AppError('LOGIN_LOCKED', {
        params: { minutes: Math.ceil(seconds / 60) },
        headers: { 'retry-after': String(seconds) },
      });
    }
  }

  async recordSuccess(userId: string, ip: string): Promise<void> {
    await sessions.rememberAddress(this.db, userId, ip, this.now());
  }
}

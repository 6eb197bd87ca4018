import type { LimitsConfig } from '../../config.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { newId } from '../../security/tokens.js';
import * as sessions from './sessions.repository.js';

const HOUR = 3_600_000;
const KNOWN_ADDRESS_DAYS = 90;

/**
 * Brute-force protection for one account (or one unknown login name, so that a lockout
 * does not reveal whether an account exists):
 * - too many failures from one address within the window lock that address out;
 * - too many failures from all addresses within an hour lock out every address except those
 *   the patient has logged in from before, so an attacker cannot lock a patient out everywhere.
 * Failures live in the database, so every API process sees the same counts.
 */
export class LoginGuard {
  constructor(
    private readonly db: Db,
    private readonly limits: LimitsConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async check(subject: string, ip: string, userId: string | undefined): Promise<void> {
    const now = this.now();
    const window = this.limits.loginFailureWindowMinutes * 60_000;
    const perAddress = this.limits.loginFailuresPerAddress;
    const fromAddress = await sessions.loginFailureTimes(this.db, subject, now - window, ip);
    let retryAt: number | undefined;
    if (fromAddress.length >= perAddress) {
      // Locked until enough of the failures leave the window.
      retryAt = fromAddress[fromAddress.length - perAddress]! + window;
    } else {
      const perAccount = this.limits.loginFailuresPerAccountPerHour;
      const fromAll = await sessions.loginFailureTimes(this.db, subject, now - HOUR);
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

  async recordFailure(subject: string, ip: string): Promise<void> {
    const now = this.now();
    await sessions.insertLoginFailure(this.db, { id: newId(), subject, ip, created_at: now });
    // Failures older than a day count for nothing; sweep them now and then.
    if (Math.random() < 0.02) await sessions.deleteLoginFailuresBefore(this.db, now - 24 * HOUR);
  }

  async recordSuccess(userId: string, ip: string): Promise<void> {
    await sessions.rememberAddress(this.db, userId, ip, this.now());
  }
}

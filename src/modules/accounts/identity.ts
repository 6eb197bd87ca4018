import type { FieldMessageKey } from '../../http/i18n.js';
import { isRealDate } from '../../lib/dates.js';

export const ID_TYPES = ['ktp', 'nik', 'passport', 'kitas'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const isIdType = (v: string): v is IdType => (ID_TYPES as readonly string[]).includes(v);

/** Spaces, dots and dashes are how people write numbers, not part of them. */
export const normalizeIdNumber = (raw: string): string =>
  // Only ASCII letters are upper-cased: "ß" must not turn into a valid-looking "SS".
  raw.replace(/[\s.-]/g, '').replace(/[a-z]/g, (c) => c.toUpperCase());

/** KTP and NIK are the same number (the NIK printed on the KTP), so they share uniqueness. */
export const idFamily = (type: IdType): string => (type === 'ktp' || type === 'nik' ? 'nik' : type);

export const maskIdNumber = (normalized: string): string =>
  '*'.repeat(Math.max(0, normalized.length - 4)) + normalized.slice(-4);

/** The problem with a normalised number for its type, if any. */
export function idNumberProblem(
  type: IdType,
  n: string,
): { key: FieldMessageKey; params?: Record<string, string> } | undefined {
  switch (type) {
    case 'ktp':
    case 'nik':
      return isValidNik(n) ? undefined : { key: 'nikFormat', params: { type: type.toUpperCase() } };
    case 'passport':
      return /^[A-Z0-9]{6,9}$/.test(n) ? undefined : { key: 'passportFormat' };
    case 'kitas':
      return /^[A-Z0-9]{6,20}$/.test(n) ? undefined : { key: 'kitasFormat' };
  }
}

/**
 * A number no document carries although its format is right: a NIK of no province (their codes
 * run from 11, Aceh, to 96) or with the serial 0000 (serials start at 0001). Refused with the
 * same answer as a number another account holds, so that answer confirms no account.
 */
export function isUnissuedNumber(type: IdType, n: string): boolean {
  if (idFamily(type) !== 'nik') return false;
  const province = Number(n.slice(0, 2));
  return province < 11 || province > 96 || n.slice(12) === '0000';
}

/**
 * A NIK is 16 digits: region (6), birth date DDMMYY with 40 added to the day for women (6),
 * and a serial (4). The birth-date part must be a real date in the 1900s or 2000s.
 */
export function isValidNik(n: string): boolean {
  if (!/^\d{16}$/.test(n)) return false;
  let day = Number(n.slice(6, 8));
  const month = Number(n.slice(8, 10));
  const yy = Number(n.slice(10, 12));
  if (day > 40) day -= 40;
  return [1900 + yy, 2000 + yy].some((year) => isRealDate(year, month, day));
}

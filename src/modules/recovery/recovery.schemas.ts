// The recovery routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import type { Text } from '../../http/i18n.js';
import type { AccountsService } from '../accounts/index.js';
import type { RecoveryService } from './recovery.service.js';

export const text = {
  forgotSent: {
    en: 'If an account has this email or username, a link to reset its password is on its way.',
    id: 'Jika ada akun dengan email atau username ini, tautan untuk mengatur ulang kata sandinya sedang dikirim.',
  },
  passwordReset: {
    en: 'Password reset. Log in with the new password.',
    id: 'Kata sandi berhasil diatur ulang. Silakan login dengan kata sandi baru.',
  },
  emailVerified: { en: 'Email address confirmed.', id: 'Alamat email berhasil dikonfirmasi.' },
  verificationSent: { en: 'A new confirmation link is on its way.', id: 'Tautan konfirmasi baru sedang dikirim.' },
  ok: { en: 'OK.', id: 'Berhasil.' },
} as const satisfies Record<string, Text>;

export const EmailStatusSchema = Type.Object(
  {
    email: Type.String(),
    email_verified: Type.Boolean(),
    verified_at: Type.Union([Type.String(), Type.Null()], { description: 'When the address was confirmed.' }),
  },
  { examples: [{ email: 'siti@example.id', email_verified: true, verified_at: '2026-11-28T02:10:00.000Z' }] },
);

/** A secret from a mail: the code, or the `token` of the link. */
export const Secret = (example: string) =>
  Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The code from the mail (the `token` of its link).',
    examples: [example],
  });

export interface RecoveryRouteDeps {
  recovery: RecoveryService;
  accounts: AccountsService;
  config: Pick<Config, 'recovery' | 'limits'>;
}

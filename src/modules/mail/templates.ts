import type { Lang } from '../../http/i18n.js';
import type { MailMessage } from './mailer.js';

/**
 * The account mails, in English and Indonesian. Each is written once as paragraphs; the plain
 * text and the HTML are made from them, so the two bodies never say different things.
 */

/** A paragraph: text, or a link/code set apart (a button-like link in HTML, its own line in text). */
type Block = string | { link: string } | { code: string };

interface Template {
  subject: string;
  blocks: Block[];
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function render(to: string, template: Template): MailMessage {
  const text = template.blocks.map((b) => (typeof b === 'string' ? b : 'link' in b ? b.link : b.code)).join('\n\n');
  const html = template.blocks
    .map((b) => {
      if (typeof b === 'string') return `<p>${escapeHtml(b)}</p>`;
      if ('link' in b) return `<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.link)}</a></p>`;
      return `<p style="font-family:monospace;font-size:16px">${escapeHtml(b.code)}</p>`;
    })
    .join('\n');
  return {
    to,
    subject: template.subject,
    text: text + '\n',
    html: `<!doctype html>\n<html><body style="font-family:sans-serif;line-height:1.5">\n${html}\n</body></html>\n`,
  };
}

export interface SecretMailParams {
  name: string;
  /** The secret to type into the app. */
  code: string;
  /** The app page that takes the secret, when the operator configured one. */
  link: string | undefined;
}

/** A password reset: the link (or code) and how long it works. */
export function passwordResetMail(
  lang: Lang,
  to: string,
  { name, code, link, minutes }: SecretMailParams & { minutes: number },
): MailMessage {
  if (lang === 'id') {
    return render(to, {
      subject: 'Atur ulang kata sandi Cexup Anda',
      blocks: [
        `Halo ${name},`,
        'Kami menerima permintaan untuk mengatur ulang kata sandi akun Cexup Anda.',
        ...(link
          ? ['Buka tautan ini untuk membuat kata sandi baru:', { link }, 'Atau masukkan kode ini di aplikasi:']
          : ['Masukkan kode ini di aplikasi untuk membuat kata sandi baru:']),
        { code },
        `Tautan dan kode ini hanya dapat dipakai sekali dan berlaku ${minutes} menit. Setelah kata sandi diganti, semua sesi login Anda berakhir.`,
        'Jika Anda tidak memintanya, abaikan email ini: kata sandi Anda tidak berubah.',
      ],
    });
  }
  return render(to, {
    subject: 'Reset your Cexup password',
    blocks: [
      `Hello ${name},`,
      'We received a request to reset the password of your Cexup account.',
      ...(link
        ? ['Open this link to choose a new password:', { link }, 'Or enter this code in the app:']
        : ['Enter this code in the app to choose a new password:']),
      { code },
      `The link and the code work once, for ${minutes} minutes. Once the password is changed, every session of your account ends.`,
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ],
  });
}

/** Confirm the address given at registration. */
export function emailVerificationMail(
  lang: Lang,
  to: string,
  { name, code, link, hours }: SecretMailParams & { hours: number },
): MailMessage {
  if (lang === 'id') {
    return render(to, {
      subject: 'Konfirmasi alamat email Cexup Anda',
      blocks: [
        `Halo ${name},`,
        'Terima kasih telah mendaftar di Cexup. Mohon konfirmasi bahwa alamat email ini milik Anda.',
        ...(link
          ? ['Buka tautan ini:', { link }, 'Atau masukkan kode ini di aplikasi:']
          : ['Masukkan kode ini di aplikasi:']),
        { code },
        `Tautan dan kode ini berlaku ${hours} jam.`,
        'Jika Anda tidak mendaftar di Cexup, abaikan email ini.',
      ],
    });
  }
  return render(to, {
    subject: 'Confirm your Cexup email address',
    blocks: [
      `Hello ${name},`,
      'Thank you for registering with Cexup. Please confirm that this email address is yours.',
      ...(link ? ['Open this link:', { link }, 'Or enter this code in the app:'] : ['Enter this code in the app:']),
      { code },
      `The link and the code work for ${hours} hours.`,
      'If you did not register with Cexup, ignore this email.',
    ],
  });
}

/** Sent after a reset, so a patient whose mailbox was used by someone else finds out. */
export function passwordChangedMail(lang: Lang, to: string, { name }: { name: string }): MailMessage {
  if (lang === 'id') {
    return render(to, {
      subject: 'Kata sandi Cexup Anda telah diganti',
      blocks: [
        `Halo ${name},`,
        'Kata sandi akun Cexup Anda baru saja diganti melalui tautan atur ulang kata sandi, dan semua sesi login diakhiri.',
        'Jika bukan Anda yang melakukannya, segera atur ulang kata sandi Anda dan hubungi layanan pelanggan kami.',
      ],
    });
  }
  return render(to, {
    subject: 'Your Cexup password was changed',
    blocks: [
      `Hello ${name},`,
      'The password of your Cexup account was just changed through a password reset link, and every session was ended.',
      'If this was not you, reset your password now and contact our support.',
    ],
  });
}

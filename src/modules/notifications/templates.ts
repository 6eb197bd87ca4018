import type { Lang } from '../../http/i18n.js';
import type { MailMessage } from '../mail/index.js';
import type { EventPayload } from './outbox.js';

type Words = Record<Lang, { title: string; body: (p: EventPayload) => string }>;

const when = (p: EventPayload) => `${p.date} ${p.time} (${p.timezone})`;
const proposedWhen = (p: EventPayload) =>
  p.proposed_date === null ? when(p) : `${p.proposed_date} ${p.proposed_time} (${p.timezone})`;

/** Each event kind in English and Indonesian: a short title and one sentence. */
const TEXTS: Record<string, Words> = {
  'order.booked': {
    en: { title: 'Order booked', body: (p) => `Order ${p.transaction_id} for ${when(p)} is booked.` },
    id: { title: 'Pesanan dibuat', body: (p) => `Pesanan ${p.transaction_id} untuk ${when(p)} telah dibuat.` },
  },
  'order.paid': {
    en: { title: 'Payment received', body: (p) => `Order ${p.transaction_id} is paid and awaits the doctor.` },
    id: {
      title: 'Pembayaran diterima',
      body: (p) => `Pesanan ${p.transaction_id} sudah dibayar dan menunggu konfirmasi dokter.`,
    },
  },
  'order.paid_late': {
    en: {
      title: 'Late payment: refund due',
      body: (p) => `The payment for ${p.transaction_id} arrived after the order ended; it will be refunded.`,
    },
    id: {
      title: 'Pembayaran terlambat: dana dikembalikan',
      body: (p) => `Pembayaran ${p.transaction_id} diterima setelah pesanan berakhir; dana akan dikembalikan.`,
    },
  },
  'order.payment_failed': {
    en: { title: 'Payment not completed', body: (p) => `Order ${p.transaction_id} was not paid in time.` },
    id: { title: 'Pembayaran tidak selesai', body: (p) => `Pesanan ${p.transaction_id} tidak dibayar tepat waktu.` },
  },
  'order.cancelled': {
    en: { title: 'Order cancelled', body: (p) => `Order ${p.transaction_id} for ${when(p)} was cancelled.` },
    id: { title: 'Pesanan dibatalkan', body: (p) => `Pesanan ${p.transaction_id} untuk ${when(p)} dibatalkan.` },
  },
  'order.confirmed': {
    en: { title: 'Appointment confirmed', body: (p) => `The doctor confirmed ${p.transaction_id} for ${when(p)}.` },
    id: {
      title: 'Janji temu dikonfirmasi',
      body: (p) => `Dokter mengonfirmasi ${p.transaction_id} untuk ${when(p)}.`,
    },
  },
  'order.declined': {
    en: {
      title: 'Appointment declined',
      body: (p) => `Order ${p.transaction_id} was not confirmed by the doctor; a refund is due.`,
    },
    id: {
      title: 'Janji temu ditolak',
      body: (p) => `Pesanan ${p.transaction_id} tidak dikonfirmasi dokter; dana akan dikembalikan.`,
    },
  },
  'order.reschedule_proposed': {
    en: {
      title: 'New time proposed',
      body: (p) => `A new time was proposed for ${p.transaction_id}: ${proposedWhen(p)}.`,
    },
    id: {
      title: 'Usulan waktu baru',
      body: (p) => `Waktu baru diusulkan untuk ${p.transaction_id}: ${proposedWhen(p)}.`,
    },
  },
  'order.reschedule_accepted': {
    en: { title: 'New time accepted', body: (p) => `Order ${p.transaction_id} now takes place at ${when(p)}.` },
    id: { title: 'Waktu baru diterima', body: (p) => `Pesanan ${p.transaction_id} kini dijadwalkan ${when(p)}.` },
  },
  'order.reschedule_rejected': {
    en: {
      title: 'New time declined',
      body: (p) => `The proposed time for ${p.transaction_id} was declined; it stays at ${when(p)}.`,
    },
    id: {
      title: 'Waktu baru ditolak',
      body: (p) => `Usulan waktu untuk ${p.transaction_id} ditolak; jadwal tetap ${when(p)}.`,
    },
  },
  'order.reschedule_expired': {
    en: {
      title: 'Proposal expired',
      body: (p) => `The proposed time for ${p.transaction_id} was not answered in time.`,
    },
    id: {
      title: 'Usulan kedaluwarsa',
      body: (p) => `Usulan waktu untuk ${p.transaction_id} tidak dijawab tepat waktu.`,
    },
  },
  'order.room_opened': {
    en: { title: 'Your room is open', body: (p) => `The video room of ${p.transaction_id} is open: join in the app.` },
    id: {
      title: 'Ruang video dibuka',
      body: (p) => `Ruang video ${p.transaction_id} sudah dibuka: bergabung lewat aplikasi.`,
    },
  },
  'order.reminder': {
    en: { title: 'In one hour', body: (p) => `Reminder: ${p.transaction_id} starts at ${when(p)}.` },
    id: { title: 'Satu jam lagi', body: (p) => `Pengingat: ${p.transaction_id} dimulai pada ${when(p)}.` },
  },
  'order.started': {
    en: { title: 'Meeting started', body: (p) => `The meeting of ${p.transaction_id} has started.` },
    id: { title: 'Pertemuan dimulai', body: (p) => `Pertemuan ${p.transaction_id} telah dimulai.` },
  },
  'order.finished': {
    en: { title: 'Meeting finished', body: (p) => `The meeting of ${p.transaction_id} is finished. Get well soon.` },
    id: {
      title: 'Pertemuan selesai',
      body: (p) => `Pertemuan ${p.transaction_id} telah selesai. Semoga lekas sembuh.`,
    },
  },
  'order.missed': {
    en: { title: 'Meeting missed', body: (p) => `The meeting of ${p.transaction_id} at ${when(p)} was missed.` },
    id: { title: 'Pertemuan terlewat', body: (p) => `Pertemuan ${p.transaction_id} pada ${when(p)} terlewat.` },
  },
  'order.refunded': {
    en: { title: 'Refund completed', body: (p) => `The refund of ${p.transaction_id} has been made.` },
    id: { title: 'Dana dikembalikan', body: (p) => `Pengembalian dana ${p.transaction_id} telah dilakukan.` },
  },
};

const FALLBACK: Words = {
  en: { title: 'Order updated', body: (p) => `Order ${p.transaction_id} is now ${p.status}.` },
  id: { title: 'Pesanan diperbarui', body: (p) => `Status pesanan ${p.transaction_id} kini ${p.status}.` },
};

export function notificationText(kind: string, lang: Lang, payload: EventPayload): { title: string; body: string } {
  const words = (TEXTS[kind] ?? FALLBACK)[lang];
  return { title: words.title, body: words.body(payload) };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The mail of one event: the same title and sentence as the inbox, plain text and HTML. */
export function notificationMail(
  lang: Lang,
  to: string,
  name: string,
  kind: string,
  payload: EventPayload,
): MailMessage {
  const { title, body } = notificationText(kind, lang, payload);
  const hello = lang === 'id' ? `Halo ${name},` : `Hello ${name},`;
  const footer =
    lang === 'id' ? 'Buka aplikasi Cexup untuk melihat pesanan Anda.' : 'Open the Cexup app to see your order.';
  const paragraphs = [hello, body, footer];
  return {
    to,
    subject: `Cexup: ${title} (${payload.transaction_id})`,
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html>\n<html><body style="font-family:sans-serif;line-height:1.5">\n${paragraphs
      .map((p) => `<p>${escapeHtml(p)}</p>`)
      .join('\n')}\n</body></html>\n`,
  };
}

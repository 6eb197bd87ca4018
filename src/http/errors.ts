import { fieldMessages, format, type FieldMessageKey, type Lang, type Text } from './i18n.js';

interface CatalogueEntry {
  status: number;
  message: Text;
}

/**
 * Every error the API answers with: a stable code (clients may switch on it), its HTTP status
 * and its message in both languages. Add codes here; never rename one.
 */
export const errorCatalogue = {
  BAD_REQUEST: { status: 400, message: { en: 'The request is malformed.', id: 'Permintaan tidak dapat dibaca.' } },
  MALFORMED_JSON: {
    status: 400,
    message: { en: 'The request body is not valid JSON.', id: 'Isi permintaan bukan JSON yang valid.' },
  },
  API_KEY_INVALID: {
    status: 401,
    message: { en: 'A valid x-api-key header is required.', id: 'Header x-api-key yang valid wajib disertakan.' },
  },
  UNAUTHENTICATED: {
    status: 401,
    message: {
      en: 'Authentication required: send a valid Bearer token.',
      id: 'Autentikasi diperlukan: kirim token Bearer yang valid.',
    },
  },
  INVALID_CREDENTIALS: {
    status: 401,
    message: { en: 'These credentials do not match our records.', id: 'Email/username atau kata sandi salah.' },
  },
  WEBHOOK_SIGNATURE_INVALID: {
    status: 401,
    message: {
      en: 'The notification is not signed as the gateway signs.',
      id: 'Notifikasi tidak bertanda tangan gateway.',
    },
  },
  FORBIDDEN_OTHER_USER: {
    status: 403,
    message: {
      en: 'You can only act on your own account.',
      id: 'Anda hanya dapat mengakses akun Anda sendiri.',
    },
  },
  ACCOUNT_DISABLED: {
    status: 403,
    message: {
      en: 'This account is disabled: ask an operator of the back office to enable it.',
      id: 'Akun ini dinonaktifkan: minta operator back office untuk mengaktifkannya kembali.',
    },
  },
  ADMIN_ROLE_FORBIDDEN: {
    status: 403,
    message: {
      en: 'Your role does not allow this: a hospital admin works only on the hospitals assigned to them.',
      id: 'Peran Anda tidak mengizinkan ini: admin rumah sakit hanya mengelola rumah sakit yang ditugaskan kepadanya.',
    },
  },
  LEAVE_NOT_ALLOWED: {
    status: 403,
    message: {
      en: 'This hospital plans its doctors’ leave itself: ask its back office.',
      id: 'Rumah sakit ini mengatur cuti dokternya sendiri: hubungi admin rumah sakit.',
    },
  },
  LEAVE_PLANNED_BY_HOSPITAL: {
    status: 403,
    message: {
      en: 'This leave was planned by your hospital: ask its back office to change it.',
      id: 'Cuti ini diatur oleh rumah sakit Anda: hubungi admin rumah sakit untuk mengubahnya.',
    },
  },
  LEAVE_NOT_FOUND: {
    status: 404,
    message: { en: 'You have no such leave.', id: 'Anda tidak memiliki cuti tersebut.' },
  },
  STAFF_NOT_FOUND: {
    status: 404,
    message: { en: 'There is no admin account with this id.', id: 'Tidak ada akun admin dengan id ini.' },
  },
  STAFF_SELF: {
    status: 409,
    message: {
      en: 'You cannot disable your own account or change your own role: ask another operator.',
      id: 'Anda tidak dapat menonaktifkan akun sendiri atau mengubah peran sendiri: minta operator lain.',
    },
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    message: {
      en: 'This change needs the x-csrf-token header of your browser session: reload the page and try again.',
      id: 'Perubahan ini memerlukan header x-csrf-token dari sesi browser Anda: muat ulang halaman lalu coba lagi.',
    },
  },
  EMAIL_NOT_VERIFIED: {
    status: 403,
    message: {
      en: 'Confirm your email address before booking: open the link we sent, or ask for a new one.',
      id: 'Konfirmasi alamat email Anda sebelum memesan: buka tautan yang kami kirim, atau minta tautan baru.',
    },
  },
  REAUTHENTICATION_REQUIRED: {
    status: 403,
    message: {
      en: 'Enter your password again to continue: send it with this request, or log in again (a new login counts for 5 minutes).',
      id: 'Masukkan kata sandi Anda lagi untuk melanjutkan: kirim bersama permintaan ini, atau login ulang (login baru berlaku 5 menit).',
    },
  },
  NOT_FOUND: { status: 404, message: { en: 'Not found.', id: 'Tidak ditemukan.' } },
  ROUTE_NOT_FOUND: {
    status: 404,
    message: { en: 'There is no such route.', id: 'Rute tidak ditemukan.' },
  },
  OBGYN_PROFILE_NOT_FOUND: {
    status: 404,
    message: { en: 'No obgyn profile yet.', id: 'Profil obgyn belum dibuat.' },
  },
  DOCTOR_NOT_FOUND: { status: 404, message: { en: 'No such doctor.', id: 'Dokter tidak ditemukan.' } },
  HOSPITAL_NOT_FOUND: { status: 404, message: { en: 'No such hospital.', id: 'Rumah sakit tidak ditemukan.' } },
  ARTICLE_NOT_FOUND: { status: 404, message: { en: 'No such article.', id: 'Artikel tidak ditemukan.' } },
  PRODUCT_NOT_FOUND: { status: 404, message: { en: 'No such product.', id: 'Produk tidak ditemukan.' } },
  CATEGORY_NOT_FOUND: { status: 404, message: { en: 'No such category.', id: 'Kategori tidak ditemukan.' } },
  SPECIALITY_NOT_FOUND: { status: 404, message: { en: 'No such speciality.', id: 'Spesialisasi tidak ditemukan.' } },
  PRACTICE_NOT_FOUND: {
    status: 404,
    message: { en: 'No such practice.', id: 'Praktik dokter tidak ditemukan.' },
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: { en: 'This method is not allowed on this route.', id: 'Metode ini tidak diizinkan pada rute ini.' },
  },
  PASSWORD_CHANGED_MEANWHILE: {
    status: 409,
    message: {
      en: 'The password was changed by another request meanwhile. Try again.',
      id: 'Kata sandi baru saja diubah oleh permintaan lain. Silakan coba lagi.',
    },
  },
  ACCOUNT_HAS_OPEN_ORDERS: {
    status: 409,
    message: {
      en: 'Some of your orders are still open (to pay, to confirm, booked, or a refund due): cancel them or let them end, then delete the account.',
      id: 'Masih ada pesanan Anda yang berjalan (menunggu pembayaran, konfirmasi, terjadwal, atau pengembalian dana): batalkan atau tunggu hingga selesai, lalu hapus akun.',
    },
  },
  EMAIL_ALREADY_VERIFIED: {
    status: 409,
    message: { en: 'This email address is already confirmed.', id: 'Alamat email ini sudah dikonfirmasi.' },
  },
  SPECIALITY_IN_USE: {
    status: 409,
    message: {
      en: 'Doctors still have this speciality: move them to another one first, or unpublish it.',
      id: 'Masih ada dokter dengan spesialisasi ini: pindahkan dulu, atau nonaktifkan spesialisasinya.',
    },
  },
  HOSPITAL_IN_USE: {
    status: 409,
    message: {
      en: 'Doctors still practise at this hospital: delete those practices first, or unpublish it.',
      id: 'Masih ada dokter yang praktik di rumah sakit ini: hapus praktiknya dulu, atau nonaktifkan rumah sakitnya.',
    },
  },
  DOCTOR_IN_USE: {
    status: 409,
    message: {
      en: 'This doctor still has practices: delete them first, or unpublish the doctor.',
      id: 'Dokter ini masih memiliki praktik: hapus dulu praktiknya, atau nonaktifkan dokternya.',
    },
  },
  CATEGORY_IN_USE: {
    status: 409,
    message: {
      en: 'This category still has products: move or delete them first, or unpublish it.',
      id: 'Kategori ini masih memiliki produk: pindahkan atau hapus dulu produknya, atau nonaktifkan kategorinya.',
    },
  },
  STILL_REFERENCED: {
    status: 409,
    message: {
      en: 'Other records still refer to this one: unpublish it instead.',
      id: 'Data lain masih merujuk ke data ini: nonaktifkan saja.',
    },
  },
  ORDER_TRANSITION_NOT_ALLOWED: {
    status: 409,
    message: {
      en: 'This is not possible while the order is {status}.',
      id: 'Tidak dapat dilakukan saat status pesanan {status}.',
    },
  },
  ORDER_PAST_CUTOFF: {
    status: 409,
    message: {
      en: 'Too late to change this order ({status}): changes close 2 hours before the start.',
      id: 'Pesanan ({status}) tidak dapat diubah lagi: perubahan ditutup 2 jam sebelum jadwal.',
    },
  },
  ORDER_TOO_EARLY: {
    status: 409,
    message: {
      en: 'Not possible yet while the order is {status}: possible from {at}.',
      id: 'Belum dapat dilakukan saat status pesanan {status}: dapat dilakukan mulai {at}.',
    },
  },
  CONFIRMATION_DEADLINE_PASSED: {
    status: 409,
    message: {
      en: 'The order is {status}, but the time to confirm it ended at {at}: it is refunded to the patient.',
      id: 'Pesanan berstatus {status}, tetapi batas waktu konfirmasi berakhir pada {at}: dana dikembalikan kepada pasien.',
    },
  },
  ORDER_TOO_LATE: {
    status: 409,
    message: {
      en: 'No longer possible while the order is {status}: the appointment window closed at {at}.',
      id: 'Sudah tidak dapat dilakukan saat status pesanan {status}: waktu janji temu berakhir pada {at}.',
    },
  },
  PROPOSAL_NO_LONGER_OFFERED: {
    status: 409,
    message: {
      en: 'The proposed time is no longer offered (the doctor is on leave then, or the schedule changed): propose another time.',
      id: 'Waktu yang diusulkan tidak lagi tersedia (dokter cuti atau jadwal berubah): usulkan waktu lain.',
    },
  },
  SLOT_TAKEN: {
    status: 409,
    message: {
      en: 'This time has just been taken. Pick another.',
      id: 'Jadwal ini baru saja diambil. Pilih jadwal lain.',
    },
  },
  PRICE_MISMATCH: {
    status: 409,
    message: {
      en: 'The price has changed: it is now {price}.',
      id: 'Harga telah berubah: sekarang {price}.',
    },
  },
  TOO_MANY_UNPAID_ORDERS: {
    status: 409,
    message: {
      en: 'You have {max} unpaid orders: pay or cancel one first.',
      id: 'Anda memiliki {max} pesanan yang belum dibayar: bayar atau batalkan salah satunya dulu.',
    },
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: {
      en: 'This Idempotency-Key was used with another request.',
      id: 'Idempotency-Key ini sudah dipakai untuk permintaan lain.',
    },
  },
  RESET_TOKEN_INVALID: {
    status: 422,
    message: {
      en: 'This password reset link is invalid, used or expired. Ask for a new one.',
      id: 'Tautan atur ulang kata sandi ini tidak valid, sudah dipakai, atau kedaluwarsa. Minta tautan baru.',
    },
  },
  VERIFICATION_TOKEN_INVALID: {
    status: 422,
    message: {
      en: 'This confirmation link is invalid or expired. Ask for a new one.',
      id: 'Tautan konfirmasi ini tidak valid atau kedaluwarsa. Minta tautan baru.',
    },
  },
  PRACTICE_NOT_FOUND_PUBLIC: { status: 404, message: { en: 'No such practice.', id: 'Praktik tidak ditemukan.' } },
  ORDER_NOT_FOUND: { status: 404, message: { en: 'No such order.', id: 'Pesanan tidak ditemukan.' } },
  APP_NOT_FOUND: { status: 404, message: { en: 'No such client app.', id: 'Aplikasi klien tidak ditemukan.' } },
  API_KEY_NOT_FOUND: {
    status: 404,
    message: { en: 'This client app has no such key.', id: 'Aplikasi klien ini tidak memiliki kunci tersebut.' },
  },
  APP_REVOKED: {
    status: 409,
    message: {
      en: 'This client app is revoked: it can no longer be changed nor get keys.',
      id: 'Aplikasi klien ini sudah dicabut: tidak dapat diubah lagi maupun diberi kunci baru.',
    },
  },
  WEBHOOK_NOT_FOUND: { status: 404, message: { en: 'No such webhook.', id: 'Webhook tidak ditemukan.' } },
  WEBHOOK_URL_INVALID: {
    status: 422,
    message: {
      en: 'The webhook URL must be an absolute http:// or https:// URL without credentials.',
      id: 'URL webhook harus berupa URL http:// atau https:// lengkap tanpa kredensial.',
    },
  },
  WEBHOOK_URL_NOT_ALLOWED: {
    status: 422,
    message: {
      en: 'The webhook URL points to a private or loopback address, which this server does not call.',
      id: 'URL webhook mengarah ke alamat privat atau loopback, yang tidak dipanggil oleh server ini.',
    },
  },
  WEBHOOK_DELIVERY_NOT_FOUND: {
    status: 404,
    message: { en: 'No such webhook delivery.', id: 'Pengiriman webhook tidak ditemukan.' },
  },
  WEBHOOK_DELIVERY_PENDING: {
    status: 409,
    message: {
      en: 'This delivery is already queued: it will be sent at its next attempt.',
      id: 'Pengiriman ini sudah dalam antrean: akan dikirim pada percobaan berikutnya.',
    },
  },
  WEBHOOK_DELIVERY_TARGET_GONE: {
    status: 409,
    message: {
      en: 'The webhook of this delivery was deleted or its client app revoked: it cannot be sent again.',
      id: 'Webhook pengiriman ini sudah dihapus atau aplikasi kliennya dicabut: pengiriman tidak dapat diulang.',
    },
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message: { en: 'The request body is too large.', id: 'Isi permintaan terlalu besar.' },
  },
  IMAGE_TOO_LARGE: {
    status: 413,
    message: { en: 'The image may be at most 2 MB.', id: 'Ukuran gambar maksimal 2 MB.' },
  },
  IMAGE_DIMENSIONS_TOO_LARGE: {
    status: 413,
    message: {
      en: 'The image may be at most 4096 x 4096 pixels.',
      id: 'Dimensi gambar maksimal 4096 x 4096 piksel.',
    },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: {
      en: 'Unsupported content type: send application/json.',
      id: 'Tipe konten tidak didukung: kirim application/json.',
    },
  },
  UNSUPPORTED_IMAGE: {
    status: 415,
    message: {
      en: 'The file must be a PNG, JPEG or WebP image of the type given.',
      id: 'File harus berupa gambar PNG, JPEG, atau WebP sesuai tipe yang disebutkan.',
    },
  },
  VALIDATION_FAILED: {
    status: 422,
    message: { en: 'The given data was invalid.', id: 'Data yang diberikan tidak valid.' },
  },
  IMPORT_INVALID: {
    status: 422,
    message: {
      en: 'The file has problems, listed by line; nothing was imported.',
      id: 'Berkas ini bermasalah (lihat daftar per baris); tidak ada yang diimpor.',
    },
  },
  REQUEST_HEADERS_TOO_LARGE: {
    status: 431,
    message: { en: 'The request headers are too large.', id: 'Header permintaan terlalu besar.' },
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    message: { en: 'Too many requests. Try again later.', id: 'Terlalu banyak permintaan. Coba lagi nanti.' },
  },
  TOO_MANY_BOOKINGS: {
    status: 429,
    message: {
      en: 'You have made {max} bookings in the last hour. Try again in {minutes} minutes.',
      id: 'Anda sudah membuat {max} pesanan dalam satu jam terakhir. Coba lagi dalam {minutes} menit.',
    },
  },
  TOO_MANY_CANCELLATIONS: {
    status: 429,
    message: {
      en: 'You have cancelled {max} orders in the last hour. Try again in {minutes} minutes.',
      id: 'Anda sudah membatalkan {max} pesanan dalam satu jam terakhir. Coba lagi dalam {minutes} menit.',
    },
  },
  LOGIN_LOCKED: {
    status: 429,
    message: {
      en: 'Too many failed logins. Try again in {minutes} minutes.',
      id: 'Terlalu banyak percobaan login gagal. Coba lagi dalam {minutes} menit.',
    },
  },
  INTERNAL_ERROR: {
    status: 500,
    message: { en: 'Something went wrong on our side.', id: 'Terjadi kesalahan pada server.' },
  },
  PAYMENT_UNAVAILABLE: {
    status: 503,
    message: {
      en: 'Payments cannot be taken right now; the order was not kept. Try again shortly.',
      id: 'Pembayaran sedang tidak dapat diproses; pesanan tidak disimpan. Coba lagi sebentar lagi.',
    },
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: { en: 'The service is temporarily unavailable.', id: 'Layanan sedang tidak tersedia.' },
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/** Per-field problems: field name to message keys with their placeholder values. */
export type FieldProblems = Record<string, { key: FieldMessageKey; params?: Record<string, string | number> }[]>;

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly options: {
      params?: Record<string, string | number>;
      fields?: FieldProblems;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(code);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }

  /** 422 for one field. */
  static field(field: string, key: FieldMessageKey, params: Record<string, string | number> = {}): AppError {
    return new AppError('VALIDATION_FAILED', { fields: { [field]: [{ key, params }] } });
  }
}

export interface ErrorBody {
  success: false;
  message: string;
  code: ErrorCode;
  data: null;
  errors?: Record<string, string[]>;
}

export function errorBody(
  code: ErrorCode,
  lang: Lang,
  params: Record<string, string | number> = {},
  fields?: FieldProblems,
): ErrorBody {
  const body: ErrorBody = {
    success: false,
    message: format(errorCatalogue[code].message[lang], params),
    code,
    data: null,
  };
  if (fields !== undefined) {
    body.errors = Object.fromEntries(
      Object.entries(fields).map(([field, list]) => [
        field,
        list.map((p) => format(fieldMessages[p.key][lang], { field, ...p.params })),
      ]),
    );
  }
  return body;
}

export type Lang = 'en' | 'id';
export type Text = Readonly<Record<Lang, string>>;

/**
 * Indonesian when the client prefers it ("id", or the older "in"), English otherwise.
 * Honours q-values so "en;q=0.5, id" picks Indonesian.
 */
export function pickLanguage(header: string | string[] | undefined): Lang {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  let best: { lang: Lang; q: number } | undefined;
  for (const part of value.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const primary = tag.split('-')[0];
    const lang: Lang | undefined = primary === 'id' || primary === 'in' ? 'id' : primary === 'en' ? 'en' : undefined;
    if (lang === undefined) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (best === undefined || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

/** Fills {name} placeholders. */
export function format(text: string, params: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/** Success messages of the routes, one place for both languages. */
export const messages = {
  ok: { en: 'OK.', id: 'Berhasil.' },
  registered: { en: 'Registration successful.', id: 'Pendaftaran berhasil.' },
  loggedIn: { en: 'Login successful.', id: 'Login berhasil.' },
  loggedOut: { en: 'Logged out.', id: 'Berhasil keluar.' },
  passwordChanged: { en: 'Password changed.', id: 'Kata sandi berhasil diubah.' },
  profileUpdated: { en: 'Profile updated.', id: 'Profil berhasil diperbarui.' },
  avatarUpdated: { en: 'Profile picture updated.', id: 'Foto profil berhasil diperbarui.' },
  obgynSaved: { en: 'Obgyn profile saved.', id: 'Profil obgyn berhasil disimpan.' },
  available: { en: 'Available.', id: 'Tersedia.' },
  booked: { en: 'Booked.', id: 'Pemesanan berhasil.' },
  taken: { en: 'Already taken.', id: 'Sudah digunakan.' },
  created: { en: 'Created.', id: 'Berhasil dibuat.' },
  updated: { en: 'Updated.', id: 'Berhasil diperbarui.' },
  deleted: { en: 'Deleted.', id: 'Berhasil dihapus.' },
  published: { en: 'Published.', id: 'Berhasil diterbitkan.' },
  unpublished: { en: 'Unpublished.', id: 'Berhasil dinonaktifkan.' },
  imageSaved: { en: 'Image saved.', id: 'Gambar berhasil disimpan.' },
  imageRemoved: { en: 'Image removed.', id: 'Gambar berhasil dihapus.' },
} as const satisfies Record<string, Text>;

/** Field validation messages. {field} is the field's name. */
export const fieldMessages = {
  required: { en: 'The {field} field is required.', id: 'Kolom {field} wajib diisi.' },
  string: { en: 'The {field} must be a string.', id: 'Kolom {field} harus berupa teks.' },
  integer: { en: 'The {field} must be a whole number.', id: 'Kolom {field} harus berupa bilangan bulat.' },
  number: { en: 'The {field} must be a number.', id: 'Kolom {field} harus berupa angka.' },
  object: { en: 'The {field} must be an object.', id: 'Kolom {field} harus berupa objek.' },
  invalid: { en: 'The {field} is invalid.', id: 'Kolom {field} tidak valid.' },
  minLength: { en: 'The {field} must be at least {limit} characters.', id: 'Kolom {field} minimal {limit} karakter.' },
  maxLength: {
    en: 'The {field} may not be greater than {limit} characters.',
    id: 'Kolom {field} maksimal {limit} karakter.',
  },
  minimum: { en: 'The {field} must be at least {limit}.', id: 'Kolom {field} minimal {limit}.' },
  maximum: { en: 'The {field} may not be greater than {limit}.', id: 'Kolom {field} maksimal {limit}.' },
  maxItems: { en: 'The {field} may have at most {limit} items.', id: 'Kolom {field} maksimal berisi {limit} item.' },
  oneOf: { en: 'The {field} must be one of: {values}.', id: 'Kolom {field} harus salah satu dari: {values}.' },
  email: {
    en: 'The {field} must be a valid email address.',
    id: 'Kolom {field} harus berupa alamat email yang valid.',
  },
  date: {
    en: 'The {field} must be a real date in the format Y-m-d.',
    id: 'Kolom {field} harus berupa tanggal yang valid dengan format Y-m-d.',
  },
  dateInFuture: { en: 'The {field} may not be in the future.', id: 'Kolom {field} tidak boleh di masa depan.' },
  usernameFormat: {
    en: 'The username must be letters, optionally followed by digits (e.g. budi or budi99).',
    id: 'Username harus berupa huruf, boleh diikuti angka (mis. budi atau budi99).',
  },
  phoneFormat: {
    en: 'The phone number must be 8 to 15 digits, optionally starting with +.',
    id: 'Nomor telepon harus 8 sampai 15 digit, boleh diawali +.',
  },
  usernameTaken: { en: 'The username has already been taken.', id: 'Username sudah digunakan.' },
  emailTaken: { en: 'The email has already been taken.', id: 'Email sudah digunakan.' },
  // One answer for a number another account holds and for one no document carries: it must not
  // tell a prober that the number belongs to a patient here.
  idNumberUnusable: {
    en: 'This identity number cannot be used. If it is yours, contact support.',
    id: 'Nomor identitas ini tidak dapat digunakan. Jika ini nomor Anda, hubungi layanan pelanggan.',
  },
  nikFormat: {
    en: 'A {type} number must be 16 digits whose birth-date part is a real date.',
    id: 'Nomor {type} harus 16 digit dengan bagian tanggal lahir yang valid.',
  },
  passportFormat: {
    en: 'A passport number must be 6 to 9 letters and digits.',
    id: 'Nomor paspor harus 6 sampai 9 huruf dan angka.',
  },
  kitasFormat: {
    en: 'A KITAS number must be 6 to 20 letters and digits.',
    id: 'Nomor KITAS harus 6 sampai 20 huruf dan angka.',
  },
  typeRequiredWithNumber: {
    en: 'The type field is required when no_type is given.',
    id: 'Kolom type wajib diisi bila no_type diisi.',
  },
  numberRequiredWithType: {
    en: 'The no_type field is required when type is given.',
    id: 'Kolom no_type wajib diisi bila type diisi.',
  },
  currentPasswordWrong: { en: 'The current password is incorrect.', id: 'Kata sandi saat ini salah.' },
  newPasswordSame: {
    en: 'The new password must differ from the current one.',
    id: 'Kata sandi baru harus berbeda dari yang sekarang.',
  },
  confirmationMismatch: {
    en: 'The {field} confirmation does not match.',
    id: 'Konfirmasi {field} tidak cocok.',
  },
  base64: { en: 'The file must be valid base64.', id: 'File harus berupa base64 yang valid.' },
  typeNotOffered: {
    en: 'This practice does not offer this appointment type.',
    id: 'Praktik ini tidak melayani jenis janji temu ini.',
  },
  notASlot: {
    en: 'This is not a time slot of this practice on that date.',
    id: 'Waktu ini bukan jadwal praktik pada tanggal tersebut.',
  },
  slotInPast: { en: 'This time has already passed.', id: 'Waktu ini sudah lewat.' },
  beyondHorizon: {
    en: 'Bookings open at most {days} days ahead.',
    id: 'Pemesanan dibuka paling lama {days} hari ke depan.',
  },
  scheduleOverlap: {
    en: "These hours overlap the doctor's other hours (a doctor is in one place at a time).",
    id: 'Jam ini bertabrakan dengan jam praktik lain dokter tersebut.',
  },
  sameTime: { en: 'This is the time the order already has.', id: 'Ini adalah waktu pesanan saat ini.' },
  slugTaken: { en: 'The slug has already been taken.', id: 'Slug sudah digunakan.' },
  unknownReference: {
    en: 'The selected {field} does not exist.',
    id: 'Kolom {field} yang dipilih tidak ditemukan.',
  },
  priceRequired: {
    en: 'At least one of call_price and reservasi_price must be set (null: not offered).',
    id: 'Minimal salah satu dari call_price dan reservasi_price harus diisi (null: tidak tersedia).',
  },
  practiceExists: {
    en: 'This doctor already practises at this hospital.',
    id: 'Dokter ini sudah praktik di rumah sakit ini.',
  },
  tooManyImages: {
    en: 'A product may have at most {limit} images.',
    id: 'Produk maksimal memiliki {limit} gambar.',
  },
  icd10: {
    en: 'Each diagnosis code must be an ICD-10 code such as J06.9 (a letter, two digits, then an optional dot and up to four more).',
    id: 'Setiap kode diagnosis harus berupa kode ICD-10 seperti J06.9 (satu huruf, dua angka, lalu opsional titik dan hingga empat karakter).',
  },
  forbiddenCharacters: {
    en: 'The {field} contains characters that are not allowed.',
    id: 'Kolom {field} berisi karakter yang tidak diizinkan.',
  },
} as const satisfies Record<string, Text>;

export type FieldMessageKey = keyof typeof fieldMessages;

import type { Metadata } from 'sharp';
import { lazyRequire } from '../../lazy.js';
import { AppError } from '../../http/errors.js';

const sharp = lazyRequire<typeof import('sharp').default>('sharp');

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
export const AVATAR_MAX_DIMENSION = 4096;
const AVATAR_SIZE = 512;

type ImageKind = 'png' | 'jpeg' | 'webp';

const declaredKinds: Record<string, ImageKind> = {
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  webp: 'webp',
};

/** What the bytes are, by their magic numbers; never by what the client says. */
export function sniffImage(bytes: Buffer): ImageKind | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  return undefined;
}

/** "png", ".PNG", "image/png" all name PNG; anything else is not an accepted type. */
function declaredKind(type: string): ImageKind | undefined {
  const t = type
    .trim()
    .toLowerCase()
    .replace(/^image\//, '')
    .replace(/^\./, '');
  return declaredKinds[t];
}

export interface ProcessedAvatar {
  bytes: Buffer;
  width: number;
  height: number;
  contentType: 'image/jpeg';
}

/**
 * Checks an uploaded avatar and re-encodes it: base64 readable (else 422), at most 2 MB
 * decoded (413), PNG/JPEG/WebP by its bytes and as declared (415), at most 4096 px a side,
 * checked from the header before any decoding (413). The result is a JPEG of at most 512 px
 * with every piece of metadata (EXIF, GPS, ICC comments) dropped.
 */
export async function processAvatar(file: string, type: string | undefined): Promise<ProcessedAvatar> {
  let data = file.trim();
  const dataUrl = /^data:([^;,]*)(;[^,]*)?,/i.exec(data);
  if (dataUrl) {
    if (!/;base64$/i.test(dataUrl[2] ?? '')) throw AppError.field('file', 'base64');
    data = data.slice(dataUrl[0].length);
    type ??= dataUrl[1];
  }
  if (type === undefined || type.trim() === '') throw AppError.field('type', 'required');
  const declared = declaredKind(type);
  if (declared === undefined) throw new AppError('UNSUPPORTED_IMAGE');

  data = data.replace(/\s+/g, '');
  // Standard or URL-safe alphabet, padding optional; anything else is not base64.
  if (data === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(data) || data.length % 4 === 1) {
    throw AppError.field('file', 'base64');
  }
  // Refuse by the decoded size before allocating it.
  const decodedSize = Math.floor((data.replace(/=+$/, '').length * 3) / 4);
  if (decodedSize > AVATAR_MAX_BYTES) throw new AppError('IMAGE_TOO_LARGE');
  const bytes = Buffer.from(data, data.includes('-') || data.includes('_') ? 'base64url' : 'base64');

  const actual = sniffImage(bytes);
  if (actual === undefined || actual !== declared) throw new AppError('UNSUPPORTED_IMAGE');

  const limitInputPixels = AVATAR_MAX_DIMENSION * AVATAR_MAX_DIMENSION;
  let meta: Metadata;
  try {
    meta = await sharp()(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('UNSUPPORTED_IMAGE');
  }
  if (meta.format !== (actual === 'jpeg' ? 'jpeg' : actual) || !meta.width || !meta.height) {
    throw new AppError('UNSUPPORTED_IMAGE');
  }
  if (meta.width > AVATAR_MAX_DIMENSION || meta.height > AVATAR_MAX_DIMENSION) {
    throw new AppError('IMAGE_DIMENSIONS_TOO_LARGE');
  }

  try {
    const { data: out, info } = await sharp()(bytes, { limitInputPixels, failOn: 'error', animated: false })
      .rotate() // apply the EXIF orientation before the EXIF is dropped
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { bytes: out, width: info.width, height: info.height, contentType: 'image/jpeg' };
  } catch {
    // A header that promised an image the rest of the bytes do not deliver.
    throw new AppError('UNSUPPORTED_IMAGE');
  }
}

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { authHeaders, build, envelope, registerPatient, type Patient, type TestApp } from '../../../test/helpers.js';

const MB2 = 2 * 1024 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const THUMB = new RegExp(`^https?://[^/]+/files/avatars/(${UUID})\\.jpg$`);

const canvas = (width: number, height: number, background = '#f00') =>
  sharp({ create: { width, height, channels: 3, background } });
const png = (width: number, height: number, background?: string) => canvas(width, height, background).png().toBuffer();
const jpeg = (width: number, height: number, background?: string) =>
  canvas(width, height, background).jpeg().toBuffer();
const webp = (width: number, height: number, background?: string) =>
  canvas(width, height, background).webp().toBuffer();
const b64 = (bytes: Buffer) => bytes.toString('base64');

const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script>' +
    '<rect width="10" height="10" fill="red"/></svg>',
);

function upload(ta: TestApp, patient: Patient | undefined, payload: Record<string, unknown>, lang?: string) {
  return ta.app.inject({
    method: 'POST',
    url: '/api/avatar',
    headers: { ...authHeaders(ta, patient), ...(lang ? { 'accept-language': lang } : {}) },
    payload,
  });
}

/** GET of the avatar URL's path, as an <img> tag would: no api key, no token. */
const fetchImage = (ta: TestApp, thumb: string) => ta.app.inject({ method: 'GET', url: new URL(thumb).pathname });

async function avatarIdOf(ta: TestApp, userId: string): Promise<string | null> {
  const row = await ta.db
    .selectFrom('users')
    .select('avatar_image_id')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.avatar_image_id;
}

async function imageIdsOf(ta: TestApp, userId: string): Promise<string[]> {
  const rows = await ta.db.selectFrom('images').select('id').where('owner_user_id', '=', userId).execute();
  return rows.map((r) => r.id).sort();
}

/** A successful upload: the user resource with a thumb whose image id is the user's avatar now. */
async function assertAccepted(ta: TestApp, patient: Patient, res: LightMyRequestResponse): Promise<string> {
  assert.equal(res.statusCode, 200, res.body);
  const body = envelope(res);
  assert.equal(body.success, true);
  assert.equal(body.data.user_id, patient.userId);
  assert.equal(body.data.username, patient.username);
  assert.equal(body.data.email, patient.email);
  const m = THUMB.exec(body.data.thumb);
  assert.ok(m, `thumb is not an absolute avatar URL: ${body.data.thumb}`);
  assert.equal(await avatarIdOf(ta, patient.userId), m[1]);
  return body.data.thumb;
}

/** Fetches the avatar and checks it is served as a metadata-free JPEG of at most 512 px. */
async function servedJpeg(ta: TestApp, thumb: string) {
  const res = await fetchImage(ta, thumb);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'image/jpeg');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const bytes = res.rawPayload;
  const meta = await sharp(bytes).metadata();
  assert.equal(meta.format, 'jpeg');
  assert.ok(meta.width <= 512 && meta.height <= 512, `${meta.width}x${meta.height}`);
  return { bytes, meta };
}

/** A patient who already has an avatar, so a refused upload can be seen to leave it alone. */
async function patientWithAvatar(ta: TestApp): Promise<{ patient: Patient; avatarId: string; thumb: string }> {
  const patient = await registerPatient(ta);
  const thumb = await assertAccepted(
    ta,
    patient,
    await upload(ta, patient, { file: b64(await png(40, 40)), type: 'png' }),
  );
  return { patient, avatarId: THUMB.exec(thumb)![1]!, thumb };
}

/** An error envelope, and the user's avatar and images exactly as before. */
async function assertRefused(
  ta: TestApp,
  res: LightMyRequestResponse,
  status: number,
  code: string,
  before: { patient: Patient; avatarId: string | null; images: string[] },
) {
  assert.equal(res.statusCode, status, res.body);
  const body = envelope(res);
  assert.equal(body.success, false);
  assert.equal(body.code, code);
  assert.equal(body.data, null);
  assert.equal(await avatarIdOf(ta, before.patient.userId), before.avatarId);
  assert.deepEqual(await imageIdsOf(ta, before.patient.userId), before.images);
  return body;
}

test('PNG, JPEG and WebP are accepted and served as a JPEG of at most 512 px', async (t) => {
  const ta = await build(t);
  const cases: [string, Buffer, string][] = [
    ['png', await png(1000, 800), 'png'],
    ['jpeg', await jpeg(1000, 800), 'jpeg'],
    ['webp', await webp(1000, 800), 'webp'],
  ];
  for (const [name, bytes, type] of cases) {
    await t.test(name, async () => {
      const patient = await registerPatient(ta);
      const res = await upload(ta, patient, { file: b64(bytes), type });
      const thumb = await assertAccepted(ta, patient, res);

      const { bytes: served, meta } = await servedJpeg(ta, thumb);
      // 1000x800 scaled to fit 512x512, aspect ratio kept.
      assert.equal(meta.width, 512);
      assert.ok(Math.abs(meta.height - 409.6) <= 1, `height ${meta.height}`);

      const row = await ta.db
        .selectFrom('images')
        .selectAll()
        .where('id', '=', THUMB.exec(thumb)![1]!)
        .executeTakeFirstOrThrow();
      assert.equal(row.owner_user_id, patient.userId);
      assert.equal(row.content_type, 'image/jpeg');
      assert.equal(row.width, meta.width);
      assert.equal(row.height, meta.height);
      assert.ok(Buffer.from(row.bytes).equals(served));
    });
  }
});

test('the avatar URL needs no api key and the user resource shows it afterwards', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const thumb = await assertAccepted(
    ta,
    patient,
    await upload(ta, patient, { file: b64(await png(30, 30)), type: 'png' }),
  );
  const image = await ta.app.inject({ method: 'GET', url: new URL(thumb).pathname, headers: {} });
  assert.equal(image.statusCode, 200);
  assert.equal(image.headers['content-type'], 'image/jpeg');

  const me = await ta.app.inject({ method: 'GET', url: '/api/me', headers: authHeaders(ta, patient) });
  assert.equal(me.statusCode, 200);
  assert.equal(envelope(me).data.thumb, thumb);
});

test('a small image is not enlarged', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const thumb = await assertAccepted(
    ta,
    patient,
    await upload(ta, patient, { file: b64(await png(100, 100)), type: 'png' }),
  );
  const { meta } = await servedJpeg(ta, thumb);
  assert.equal(meta.width, 100);
  assert.equal(meta.height, 100);
});

test('a data: URL prefix, `extension` instead of `type`, and jpg or jpeg for a JPEG', async (t) => {
  const ta = await build(t);
  const pngBytes = await png(60, 60);
  const jpegBytes = await jpeg(60, 60);
  const cases: [string, Record<string, unknown>][] = [
    ['data URL, no type', { file: `data:image/png;base64,${b64(pngBytes)}` }],
    ['data URL and type', { file: `data:image/png;base64,${b64(pngBytes)}`, type: 'png' }],
    ['extension png', { file: b64(pngBytes), extension: 'png' }],
    ['extension jpg', { file: b64(jpegBytes), extension: 'jpg' }],
    ['type jpg', { file: b64(jpegBytes), type: 'jpg' }],
    ['type jpeg', { file: b64(jpegBytes), type: 'jpeg' }],
  ];
  for (const [name, payload] of cases) {
    await t.test(name, async () => {
      const patient = await registerPatient(ta);
      const thumb = await assertAccepted(ta, patient, await upload(ta, patient, payload));
      const { meta } = await servedJpeg(ta, thumb);
      assert.equal(meta.width, 60);
    });
  }
});

test('a real image just under 2 MB is accepted', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  // Uncompressed random pixels: a PNG whose size is known in advance.
  const bytes = await sharp(randomBytes(800 * 800 * 3), { raw: { width: 800, height: 800, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  assert.ok(bytes.length > 1.8 * 1024 * 1024 && bytes.length <= MB2, `fixture is ${bytes.length} bytes`);
  const thumb = await assertAccepted(ta, patient, await upload(ta, patient, { file: b64(bytes), type: 'png' }));
  const { meta } = await servedJpeg(ta, thumb);
  assert.equal(meta.width, 512);
  assert.equal(meta.height, 512);
});

test('metadata is stripped: no EXIF, and the planted text is not in the stored bytes', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const secret = 'secret-gps-owner';
  const input = await canvas(300, 200, '#0a0')
    .jpeg()
    .withExif({ IFD0: { Copyright: secret, Artist: secret } })
    .toBuffer();
  // The fixture really carries it.
  assert.ok((await sharp(input).metadata()).exif !== undefined);
  assert.ok(input.includes(secret));

  const thumb = await assertAccepted(ta, patient, await upload(ta, patient, { file: b64(input), type: 'jpeg' }));
  const { bytes, meta } = await servedJpeg(ta, thumb);
  assert.equal(meta.exif, undefined);
  assert.equal(meta.xmp, undefined);
  assert.equal(bytes.includes(secret), false);

  const row = await ta.db
    .selectFrom('images')
    .select('bytes')
    .where('id', '=', THUMB.exec(thumb)![1]!)
    .executeTakeFirstOrThrow();
  assert.equal(Buffer.from(row.bytes).includes(secret), false);
});

test('the EXIF orientation is applied before the EXIF is dropped', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  // Stored 200 wide and 100 high, to be shown turned a quarter (orientation 6): 100x200.
  const input = await canvas(200, 100).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  assert.equal((await sharp(input).metadata()).orientation, 6);
  const thumb = await assertAccepted(ta, patient, await upload(ta, patient, { file: b64(input), type: 'jpg' }));
  const { meta } = await servedJpeg(ta, thumb);
  assert.equal(meta.width, 100);
  assert.equal(meta.height, 200);
  assert.equal(meta.orientation, undefined);
});

test('a transparent PNG comes back on white', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const input = await sharp({
    create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
  })
    .png()
    .toBuffer();
  const thumb = await assertAccepted(ta, patient, await upload(ta, patient, { file: b64(input), type: 'png' }));
  const { bytes } = await servedJpeg(ta, thumb);
  const pixels = await sharp(bytes).raw().toBuffer();
  assert.ok(pixels[0]! > 240 && pixels[1]! > 240 && pixels[2]! > 240, `first pixel ${[...pixels.subarray(0, 3)]}`);
});

test('a second upload replaces the first: the old URL answers 404 and one image row is left', async (t) => {
  const ta = await build(t);
  const { patient, thumb: first, avatarId: firstId } = await patientWithAvatar(ta);
  assert.equal((await fetchImage(ta, first)).statusCode, 200);

  const second = await assertAccepted(
    ta,
    patient,
    await upload(ta, patient, { file: b64(await jpeg(50, 50, '#00f')), type: 'jpeg' }),
  );
  assert.notEqual(second, first);
  const secondId = THUMB.exec(second)![1]!;

  const old = await fetchImage(ta, first);
  assert.equal(old.statusCode, 404);
  const body = envelope(old);
  assert.equal(body.success, false);
  assert.equal(body.code, 'NOT_FOUND');
  assert.equal(body.data, null);

  assert.equal((await fetchImage(ta, second)).statusCode, 200);
  assert.deepEqual(await imageIdsOf(ta, patient.userId), [secondId]);
  const gone = await ta.db.selectFrom('images').select('id').where('id', '=', firstId).executeTakeFirst();
  assert.equal(gone, undefined);
});

test('uploads sent at the same time leave one image row: the current avatar', async (t) => {
  const ta = await build(t);
  const { patient, thumb: first } = await patientWithAvatar(ta);
  const files = await Promise.all(['#f00', '#0f0', '#00f'].map((bg) => png(300, 300, bg)));
  const results = await Promise.all(files.map((f) => upload(ta, patient, { file: b64(f), type: 'png' })));
  const thumbs = results.map((res) => {
    assert.equal(res.statusCode, 200, res.body);
    return envelope(res).data.thumb as string;
  });

  const current = await avatarIdOf(ta, patient.userId);
  assert.ok(current !== null && thumbs.some((thumb) => THUMB.exec(thumb)![1] === current));
  // Every replaced image is gone, whichever upload came last: none is left orphaned.
  assert.deepEqual(await imageIdsOf(ta, patient.userId), [current]);
  assert.equal((await fetchImage(ta, first)).statusCode, 404);
});

test('an unknown or malformed avatar file name answers 404', async (t) => {
  const ta = await build(t);
  for (const url of [
    `/files/avatars/${randomUUID()}.jpg`,
    '/files/avatars/not-a-uuid.jpg',
    '/files/avatars/..%2F..%2Fetc%2Fpasswd',
  ]) {
    const res = await ta.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.equal(envelope(res).data, null);
  }
});

test('too large: over 2 MB decoded, too large a body, too many pixels (413)', async (t) => {
  const ta = await build(t);
  const { patient, avatarId } = await patientWithAvatar(ta);
  const before = { patient, avatarId, images: await imageIdsOf(ta, patient.userId) };

  await t.test('2 MB + 1 byte decoded → IMAGE_TOO_LARGE', async () => {
    const bytes = Buffer.concat([PNG_SIGNATURE, randomBytes(MB2 + 1 - PNG_SIGNATURE.length)]);
    const res = await upload(ta, patient, { file: b64(bytes), type: 'png' });
    await assertRefused(ta, res, 413, 'IMAGE_TOO_LARGE', before);
  });

  await t.test('exactly 2 MB is not refused for its size', async () => {
    // Not an image past the signature, so it is refused, but as a 415, not for its size.
    const bytes = Buffer.concat([PNG_SIGNATURE, randomBytes(MB2 - PNG_SIGNATURE.length)]);
    const res = await upload(ta, patient, { file: b64(bytes), type: 'png' });
    await assertRefused(ta, res, 415, 'UNSUPPORTED_IMAGE', before);
  });

  await t.test('a body over 3 MB → PAYLOAD_TOO_LARGE', async () => {
    const res = await upload(ta, patient, { file: 'A'.repeat(3 * 1024 * 1024 + 16), type: 'png' });
    await assertRefused(ta, res, 413, 'PAYLOAD_TOO_LARGE', before);
  });

  const dimensions: [number, number][] = [
    [5000, 5000],
    [5000, 10],
    [10, 5000],
  ];
  for (const [width, height] of dimensions) {
    await t.test(`${width}x${height} → IMAGE_DIMENSIONS_TOO_LARGE`, async () => {
      const bytes = await png(width, height);
      assert.ok(bytes.length < MB2);
      const res = await upload(ta, patient, { file: b64(bytes), type: 'png' });
      await assertRefused(ta, res, 413, 'IMAGE_DIMENSIONS_TOO_LARGE', before);
    });
  }
});

test('an image of exactly 4096 x 4096 pixels is accepted', async (t) => {
  const ta = await build(t);
  const patient = await registerPatient(ta);
  const thumb = await assertAccepted(
    ta,
    patient,
    await upload(ta, patient, { file: b64(await png(4096, 4096)), type: 'png' }),
  );
  const { meta } = await servedJpeg(ta, thumb);
  assert.equal(meta.width, 512);
  assert.equal(meta.height, 512);
});

test('not an accepted image, or not the image it claims to be (415)', async (t) => {
  const ta = await build(t);
  const { patient, avatarId } = await patientWithAvatar(ta);
  const before = { patient, avatarId, images: await imageIdsOf(ta, patient.userId) };

  const pngBytes = await png(64, 64);
  const noisy = await sharp({
    create: {
      width: 300,
      height: 300,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();
  const gif = await canvas(20, 20).gif().toBuffer();
  assert.equal(gif.toString('latin1', 0, 3), 'GIF');

  const cases: [string, Buffer, string][] = [
    ['SVG as svg', SVG, 'svg'],
    ['SVG claiming png', SVG, 'png'],
    ['SVG claiming image/svg+xml', SVG, 'image/svg+xml'],
    ['PNG claiming jpeg', pngBytes, 'jpeg'],
    ['JPEG claiming png', await jpeg(64, 64), 'png'],
    ['WebP claiming png', await webp(64, 64), 'png'],
    ['GIF as gif', gif, 'gif'],
    ['GIF claiming png', gif, 'png'],
    ['random bytes claiming png', randomBytes(4096), 'png'],
    ['a PNG cut off halfway', noisy.subarray(0, Math.floor(noisy.length / 2)), 'png'],
    ['a PNG of signature and header only', pngBytes.subarray(0, 33), 'png'],
    ['a type that is no image format', pngBytes, 'exe'],
  ];
  for (const [name, bytes, type] of cases) {
    await t.test(name, async () => {
      const res = await upload(ta, patient, { file: b64(bytes), type });
      await assertRefused(ta, res, 415, 'UNSUPPORTED_IMAGE', before);
    });
  }

  await t.test('in Indonesian', async () => {
    const res = await upload(ta, patient, { file: b64(SVG), type: 'png' }, 'id');
    const body = await assertRefused(ta, res, 415, 'UNSUPPORTED_IMAGE', before);
    assert.match(body.message, /gambar/);
  });
});

test('unreadable or missing fields (422)', async (t) => {
  const ta = await build(t);
  const { patient, avatarId } = await patientWithAvatar(ta);
  const before = { patient, avatarId, images: await imageIdsOf(ta, patient.userId) };
  const pngB64 = b64(await png(20, 20));

  const cases: [string, Record<string, unknown>, string][] = [
    ['unreadable base64', { file: '***not base64***', type: 'png' }, 'file'],
    ['base64 of an impossible length', { file: 'iVBORw0KG', type: 'png' }, 'file'],
    ['a data URL that is not base64', { file: 'data:image/png,hello', type: 'png' }, 'file'],
    ['missing file', { type: 'png' }, 'file'],
    ['empty file', { file: '', type: 'png' }, 'file'],
    ['missing type without a data URL', { file: pngB64 }, 'type'],
    ['empty type without a data URL', { file: pngB64, type: '' }, 'type'],
  ];
  for (const [name, payload, field] of cases) {
    await t.test(name, async () => {
      const res = await upload(ta, patient, payload);
      const body = await assertRefused(ta, res, 422, 'VALIDATION_FAILED', before);
      assert.deepEqual(Object.keys(body.errors ?? {}), [field]);
      assert.ok(body.errors![field]!.length > 0);
      assert.ok(body.errors![field]!.every((m) => typeof m === 'string' && m.length > 0));
    });
  }
});

test('without a token 401, without an api key 401', async (t) => {
  const ta = await build(t);
  const { patient, avatarId } = await patientWithAvatar(ta);
  const before = { patient, avatarId, images: await imageIdsOf(ta, patient.userId) };
  const payload = { file: b64(await png(20, 20)), type: 'png' };

  const noToken = await upload(ta, undefined, payload);
  await assertRefused(ta, noToken, 401, 'UNAUTHENTICATED', before);

  const badToken = await ta.app.inject({
    method: 'POST',
    url: '/api/avatar',
    headers: { 'x-api-key': ta.apiKey, authorization: 'Bearer not-a-real-token' },
    payload,
  });
  await assertRefused(ta, badToken, 401, 'UNAUTHENTICATED', before);

  const noKey = await ta.app.inject({
    method: 'POST',
    url: '/api/avatar',
    headers: { authorization: `Bearer ${patient.token}` },
    payload,
  });
  await assertRefused(ta, noKey, 401, 'API_KEY_INVALID', before);
});

test("another patient's user_id or username → 403, and neither avatar changes", async (t: TestContext) => {
  const ta = await build(t);
  const a = await registerPatient(ta);
  const b = await patientWithAvatar(ta);
  const beforeA = { patient: a, avatarId: null, images: [] as string[] };
  const beforeB = { patient: b.patient, avatarId: b.avatarId, images: await imageIdsOf(ta, b.patient.userId) };
  const file = b64(await png(20, 20, '#123456'));

  const byId = await upload(ta, a, { user_id: b.patient.userId, file, type: 'png' });
  await assertRefused(ta, byId, 403, 'FORBIDDEN_OTHER_USER', beforeA);
  await assertRefused(ta, byId, 403, 'FORBIDDEN_OTHER_USER', beforeB);

  const byName = await upload(ta, a, { username: b.patient.username, file, type: 'png' });
  await assertRefused(ta, byName, 403, 'FORBIDDEN_OTHER_USER', beforeA);
  await assertRefused(ta, byName, 403, 'FORBIDDEN_OTHER_USER', beforeB);

  assert.equal((await fetchImage(ta, b.thumb)).statusCode, 200);

  // Naming oneself is fine.
  await assertAccepted(ta, a, await upload(ta, a, { user_id: a.userId, username: a.username, file, type: 'png' }));
  assert.equal(await avatarIdOf(ta, b.patient.userId), b.avatarId);
});

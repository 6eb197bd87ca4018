import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { IdentityKey } from '../config.js';

/**
 * Identity numbers at rest: AES-256-GCM, stored as "v1.<key id>.<iv>.<tag>.<ciphertext>" so that
 * older keys still decrypt after a rotation. The owner's id is bound in as associated data, so
 * a ciphertext copied onto another account does not decrypt.
 */
export class IdentityCipher {
  private readonly byId: Map<string, Buffer>;
  private readonly active: IdentityKey;

  constructor(
    keys: IdentityKey[],
    private readonly hmacKey: Buffer,
  ) {
    if (keys.length === 0) throw new Error('at least one identity key is required');
    this.active = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get activeKeyId(): string {
    return this.active.id;
  }

  encrypt(plain: string, ownerId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
    cipher.setAAD(Buffer.from(ownerId));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.active.id, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(
      '.',
    );
  }

  decrypt(stored: string, ownerId: string): string {
    const [version, keyId, iv, tag, data] = stored.split('.');
    const key = keyId === undefined ? undefined : this.byId.get(keyId);
    if (version !== 'v1' || key === undefined || !iv || !tag || data === undefined) {
      throw new Error('identity ciphertext has an unknown format or key id');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(ownerId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  keyIdOf(stored: string): string | undefined {
    return stored.split('.')[1];
  }

  /** Deterministic keyed hash, so the database can enforce uniqueness without seeing the number. */
  uniquenessHash(family: string, normalized: string): string {
    return createHmac('sha256', this.hmacKey).update(`${family}:${normalized}`).digest('hex');
  }
}

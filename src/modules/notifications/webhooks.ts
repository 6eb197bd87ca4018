import { createHmac, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../http/errors.js';

/**
 * Webhook plumbing: which URLs may be called, the signature, and one call.
 *
 * Signature: `x-cexup-signature: v1=<hex HMAC-SHA256(secret, "<x-cexup-timestamp>.<raw body>")>`;
 * the timestamp (Unix seconds) is signed too, so a receiver can refuse old replays.
 */

/** Addresses a server in a private network must not be made to call (SSRF). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
    return PRIVATE.check(address, 'ipv6');
  }
  return PRIVATE.check(address, 'ipv4');
}

/** An absolute http(s) URL without credentials, or 422 WEBHOOK_URL_INVALID. */
export function parseWebhookUrl(raw: string): URL {
  const invalid = () => new AppError('WEBHOOK_URL_INVALID', { fields: { url: [{ key: 'invalid' }] } });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw invalid();
  if (url.username !== '' || url.password !== '') throw invalid();
  return url;
}

/**
 * True when every address the host names is public. A host that does not resolve is refused
 * too. Checked at registration and again before each call (the name may point elsewhere later).
 */
export async function resolvesPublic(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return !isPrivateAddress(host);
  try {
    const addresses = await lookup(host, { all: true, verbatim: true });
    return addresses.length > 0 && addresses.every((a) => !isPrivateAddress(a.address));
  } catch {
    return false;
  }
}

export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface CallOutcome {
  ok: boolean;
  status: number | null;
  /** Short and free of the URL and the secret: it goes into the delivery log. */
  error: string | null;
}

/** One signed POST. Redirects are not followed (a redirect could lead to a private address). */
export async function callWebhook(
  url: string,
  secret: string,
  headers: Record<string, string>,
  body: string,
  nowMs: number,
  timeoutMs: number,
): Promise<CallOutcome> {
  const timestamp = Math.floor(nowMs / 1000);
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Cexup-Webhooks/1',
        ...headers,
        'x-cexup-timestamp': String(timestamp),
        'x-cexup-signature': sign(secret, timestamp, body),
      },
      body,
    });
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    return { ok: false, status: null, error: name === 'TimeoutError' ? 'timeout' : 'connection failed' };
  }
}

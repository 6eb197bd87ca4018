import { createHmac, randomBytes } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../http/errors.js';

/**
 * Webhook plumbing: which URLs may be called, the signature, and one call.
 *
 * Signature: `x-cexup-signature: v1=<hex HMAC-SHA256(secret, "<x-cexup-timestamp>.<raw body>")>`;
 * the timestamp (Unix seconds) is signed too, so a receiver can refuse old replays.
 *
 * SSRF: a host name is resolved once per call, every address it resolves to is checked, and
 * the connection goes to a checked address (the resolver is the socket's only lookup), so a
 * name cannot answer a public address to the check and a private one to the connection.
 */

/** One resolved address, as `dns.lookup(..., { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Turns a host name into addresses; injectable so tests can play DNS (rebinding included). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr.js calls it unicast, but it embeds IPv4. */
const IPV4_COMPATIBLE = ipaddr.parse('::') as ipaddr.IPv6;

/**
 * True unless the address is plain public unicast. IPv6 forms that carry an IPv4 address
 * (::ffff:0:0/96, ::/96, 64:ff9b::/96 and 64:ff9b:1::/48 NAT64, 2002::/16 6to4, 2001::/32
 * Teredo, ::ffff:0:0:0/96) are refused whole: where they lead depends on the network.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare) || isIP(bare) === 0) return true;
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).match(IPV4_COMPATIBLE, 96)) return true;
  return parsed.range() !== 'unicast';
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

/** The URL's host without IPv6 brackets: an address literal, or a name to resolve. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/**
 * True when every address the host names is public. A host that does not resolve is refused
 * too. Checked at registration; each call checks again, on the addresses it connects to.
 */
export async function resolvesPublic(url: URL, resolve: Resolver = systemResolver): Promise<boolean> {
  const host = hostOf(url);
  if (isIP(host) !== 0) return !isPrivateAddress(host);
  try {
    const addresses = await resolve(host);
    return addresses.length > 0 && addresses.every((a) => !isPrivateAddress(a.address));
  } catch {
    return false;
  }
}

class AddressNotAllowed extends Error {
  override name = 'AddressNotAllowed';
}

/**
 * The socket's lookup: one resolution, every address checked, and only checked addresses
 * handed to the connection (Node asks for all of them when it races IPv4 and IPv6).
 */
export function guardedLookup(resolve: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolve(hostname).then(
      (all) => {
        if (!allowPrivate && (all.length === 0 || all.some((a) => isPrivateAddress(a.address)))) {
          callback(new AddressNotAllowed('address not allowed'), '', 0);
          return;
        }
        const usable = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (usable.length === 0) {
          callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all === true) {
          callback(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
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

/** Where a call may connect: the resolver, and whether private addresses are allowed. */
export interface CallGuard {
  resolve: Resolver;
  allowPrivate: boolean;
}

/**
 * One signed POST. Redirects are not followed (a redirect could lead to a private address).
 * The Host header and the TLS server name stay the URL's name; only the lookup is ours.
 */
export async function callWebhook(
  url: string,
  secret: string,
  headers: Record<string, string>,
  body: string,
  nowMs: number,
  timeoutMs: number,
  guard: CallGuard,
): Promise<CallOutcome> {
  const timestamp = Math.floor(nowMs / 1000);
  const target = new URL(url);
  // An address literal is never looked up: it is checked here, before any connection.
  const host = hostOf(target);
  if (!guard.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    return { ok: false, status: null, error: 'address not allowed' };
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          // A connection of its own: a pooled socket would skip this call's lookup.
          agent: false,
          lookup: guardedLookup(guard.resolve, guard.allowPrivate),
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'Cexup-Webhooks/1',
            ...headers,
            'x-cexup-timestamp': String(timestamp),
            'x-cexup-signature': sign(secret, timestamp, body),
          },
        },
        (res: IncomingMessage) => {
          // The answer's body is not read: the status says it all.
          res.destroy();
          resolve(res.statusCode ?? 0);
        },
      );
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
        timeoutMs,
      );
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(body);
    });
    const ok = status >= 200 && status < 300;
    return { ok, status, error: ok ? null : `HTTP ${status}` };
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const error =
      name === 'TimeoutError' ? 'timeout' : name === 'AddressNotAllowed' ? 'address not allowed' : 'connection failed';
    return { ok: false, status: null, error };
  }
}

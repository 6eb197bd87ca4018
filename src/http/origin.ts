import type { Server } from 'node:http';
import { isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/** The origin of each listening server, found once. */
const listening = new WeakMap<Server, string>();

/**
 * The origin payment links and image URLs are built on: PUBLIC_URL, which is required outside
 * demo mode. In demo mode without it, the address this server listens on. Never the request's
 * Host header: the client chooses it, and it would land in stored payment links and in every
 * cache keyed by origin.
 */
export function baseUrlOf(
  config: Pick<Config, 'publicUrl'> & Partial<Pick<Config, 'host' | 'port'>>,
  request: FastifyRequest,
): string {
  return config.publicUrl ?? listeningOrigin(request.server.server, config);
}

/** `http://<address>:<port>` of the server; before it listens (tests' inject), the configured ones. */
export function listeningOrigin(server: Server, config: Partial<Pick<Config, 'host' | 'port'>> = {}): string {
  const known = listening.get(server);
  if (known !== undefined) return known;
  const address = server.address();
  if (address === null || typeof address === 'string') return originOf(config.host ?? '127.0.0.1', config.port ?? 3000);
  const origin = originOf(address.address, address.port);
  listening.set(server, origin);
  return origin;
}

function originOf(host: string, port: number): string {
  // Every interface: name this machine, which is where a demo is opened.
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : isIPv6(host) ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

// Where a webhook may be delivered (docs/advanced.md): public addresses only, unless the
// operator allows private ones for on-premises receivers (`serve --allow-private-webhooks`).
// The host is resolved once per registration and per delivery, every address is checked, and
// the delivery's socket is pinned to the checked addresses: a DNS answer that changes after
// the check (DNS rebinding) cannot send the connection anywhere else.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name has (tests inject their own DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * `resolve`, with at most `limit` calls running at once; the others wait their turn. A call
 * holds its place until it settles, even after the delivery that asked has given up.
 */
export function limitConcurrency(limit: number, resolve: Resolver): Resolver {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (hostname) => {
    // a place is handed from the call that ends straight to the next in line
    if (running < limit) running++;
    else await new Promise<void>((next) => waiting.push(next));
    try {
      return await resolve(hostname);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * The system's resolver (hosts file, DNS) through getaddrinfo, which runs on libuv's thread
 * pool (4 threads by default), shared with password hashing and file I/O. A DNS server that
 * never answers holds a thread for its whole timeout, after the delivery has given up: two
 * lookups at most, so logins never wait for a webhook's DNS.
 */
export const systemResolver: Resolver = limitConcurrency(2, (hostname) => dnsLookup(hostname, { all: true, verbatim: true }));

export interface DestinationPolicy {
  /** deliver to loopback, private and link-local addresses too (on-premises receivers) */
  allowPrivate: boolean;
  resolve: Resolver;
}

declare module 'fastify' {
  interface FastifyInstance {
    webhookDestinations: DestinationPolicy;
  }
}

/** A receiver's address is not public; the message says which address and why. */
export class PrivateAddressError extends Error {}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback',
  private: 'a private',
  linkLocal: 'a link-local',
  carrierGradeNat: 'a carrier-grade NAT',
  multicast: 'a multicast',
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  uniqueLocal: 'a unique-local',
};

/** Why `address` may not receive webhooks ("a loopback address"), or null when it is public. */
export function nonPublicRange(address: string): string | null {
  // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into the IPv4 address it stands for
  const ip = ipaddr.process(address);
  const range = ip.range();
  if (range !== 'unicast') return `${RANGE_WORDS[range] ?? 'a reserved'} address`;
  // IPv4-compatible IPv6 (::7f00:1), deprecated, still reaches the IPv4 address on some hosts
  if (ip instanceof ipaddr.IPv6 && ip.parts.slice(0, 6).every((part) => part === 0)) return 'an IPv4-compatible address';
  return null;
}

/**
 * The addresses a delivery to `url` may connect to: all of the host's, each checked unless
 * private ones are allowed. Throws PrivateAddressError, or the resolver's error when the name
 * does not resolve.
 */
export async function resolveDestination(url: URL, policy: DestinationPolicy): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await policy.resolve(host);
  if (!policy.allowPrivate) {
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      // one non-public address refuses the host: the socket could otherwise be steered to it
      if (range) throw new PrivateAddressError(`${family ? address : `${host} resolves to ${address}`}, ${range}: webhooks go to public addresses only`);
    }
  }
  return addresses;
}

/** A `lookup` for node:net that answers only `addresses` (already checked), never asking DNS again. */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    if (usable.length === 0) {
      callback(Object.assign(new Error(`${hostname}: no usable address`), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

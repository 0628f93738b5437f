import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { DoppelError } from '../twins/errors';

/**
 * Where tenant-given URLs may lead (partner webhooks, admission hooks, HTTP backends). A
 * tenant admin must not be able to make Doppel's worker or gateway call into the network it
 * runs in: cloud metadata (169.254.169.254), the database, Temporal, other tenants' services.
 * Private, loopback, link-local and other special-purpose addresses are refused unless an
 * operator allows the network (`EGRESS_ALLOWED_NETWORKS`).
 */
const SPECIAL_PURPOSE: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 96, 'ipv6'], // unspecified, loopback, IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
  ['64:ff9b::', 96, 'ipv6'], // NAT64 (reaches IPv4 behind it)
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64 (RFC 8215)
  ['2002::', 16, 'ipv6'], // 6to4: embeds any IPv4 address, private ones included
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Parses `EGRESS_ALLOWED_NETWORKS`-style CIDRs (`127.0.0.0/8, ::1/128`); throws on a bad one. */
export function parseNetworks(text: string | undefined): string[] {
  const networks = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const cidr of networks) toSubnet(cidr);
  return networks;
}

function toSubnet(cidr: string): [string, number, 'ipv4' | 'ipv6'] {
  const [address = '', bits, extra] = cidr.split('/');
  const prefix = Number(bits);
  const max = isIP(address) === 6 ? 128 : 32;
  if (
    !isIP(address) ||
    extra !== undefined ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max
  )
    throw new Error(`"${cidr}" is not a network: write an address and a prefix, like 10.0.0.0/8`);
  return [address, prefix, family(address)];
}

/** A refused destination: the message names the address and how to allow it. */
export function egressRefused(url: string, address: string): DoppelError {
  return new DoppelError(
    'egress:forbidden',
    `${new URL(url).host} is ${address}, a private or special-purpose address Doppel does not call`,
    {
      hint: 'use a public address, or let an operator allow that network with EGRESS_ALLOWED_NETWORKS',
    },
  );
}

export interface Egress {
  /** Whether Doppel may connect to this IP address. */
  permits(address: string): boolean;
  /** Throws `egress:forbidden` when the URL names a refused address (or `localhost`) itself. */
  checkUrl(url: string): void;
  /**
   * Throws `egress:forbidden` when the URL's host is a refused IP address: a socket opened to
   * an address never asks the lookup, so this is checked before connecting; names are left to
   * the lookup.
   */
  checkLiteral(url: string): void;
  /** A socket `lookup` that refuses names resolving to a refused address. */
  lookup: ReturnType<typeof guardedLookup>;
  /** `fetch` whose every connection, redirects included, goes only to permitted addresses. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for sockets that refuses names resolving to a refused address. The addresses are
 * checked where the socket connects, after DNS, so a name that resolves to a private address
 * (or changes its answer after an earlier check) is refused all the same.
 */
export function guardedLookup(permits: (address: string) => boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) =>
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !permits(a.address));
      if (refused) return callback(egressRefused(`http://${hostname}`, refused.address), []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first!.address, first!.family);
    });
}

/** The egress rules, with `allowedNetworks` (CIDRs) let through although special-purpose. */
export function createEgress(allowedNetworks: readonly string[] = []): Egress {
  const special = new BlockList();
  for (const [address, prefix, fam] of SPECIAL_PURPOSE) special.addSubnet(address, prefix, fam);
  const allowed = new BlockList();
  for (const cidr of allowedNetworks) allowed.addSubnet(...toSubnet(cidr));
  const permits = (address: string) =>
    allowed.check(address, family(address)) || !special.check(address, family(address));

  const lookup = guardedLookup(permits);
  // Made on first use: the API only checks URLs and never connects.
  let dispatcher: Agent | null = null;

  const hostOf = (url: string) => new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  function checkLiteral(url: string): void {
    const host = hostOf(url);
    if (isIP(host) && !permits(host)) throw egressRefused(url, host);
  }
  function checkUrl(url: string): void {
    checkLiteral(url);
    const host = hostOf(url);
    if ((host === 'localhost' || host.endsWith('.localhost')) && !permits('127.0.0.1'))
      throw egressRefused(url, '127.0.0.1');
  }

  return {
    permits,
    checkUrl,
    checkLiteral,
    lookup,
    async fetch(url, init = {}) {
      checkLiteral(url);
      // A redirect is an answer, not followed: it could lead to an address never checked (an
      // IP literal skips the lookup), and a partner changes its URL in Doppel instead.
      dispatcher ??= new Agent({ connect: { lookup } });
      return fetch(url, { ...init, redirect: 'manual', dispatcher });
    },
  };
}

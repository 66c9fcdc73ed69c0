import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * The SSRF guard of a school's endpoint. In AWS a URL must be https and its host must resolve
 * only to public unicast addresses: never loopback, private, link-local (the instance metadata
 * address 169.254.169.254 included), unspecified, CGNAT, reserved or multicast. Locally
 * (`npm start`, tests) http and https to the loopback host are allowed as well, so that a
 * developer's receiver on 127.0.0.1 works.
 */
export type EndpointCheck = { ok: true } | { ok: false; reason: string };

const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // unspecified / "this network"
  ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], // RFC 1918
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, instance metadata
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) forbidden.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) forbidden.addSubnet(network, prefix, 'ipv6');
// An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked against the IPv4 rules by BlockList.

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
const isLoopbackName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** Why an address may not be called (null: it may). */
export function forbiddenAddress(address: string, options: { local: boolean }): string | null {
  if (isIP(address) === 0) return 'not an IP address';
  if (options.local && loopback.check(address, familyOf(address))) return null;
  return forbidden.check(address, familyOf(address)) ? 'it resolves to a loopback, private, link-local or reserved address' : null;
}

/** The URL on its own, without resolving its host (pure): scheme, credentials, an IP literal host. */
export function checkEndpointUrl(url: string, options: { local: boolean }): EndpointCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (parsed.username || parsed.password) return { ok: false, reason: 'the URL may not hold credentials' };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const loopbackHost = isLoopbackName(host) || (isIP(host) !== 0 && loopback.check(host, familyOf(host)));
  if (parsed.protocol !== 'https:' && !(options.local && parsed.protocol === 'http:' && loopbackHost)) {
    return { ok: false, reason: options.local ? 'the URL must be https, or http to 127.0.0.1 or localhost' : 'the URL must be https' };
  }
  if (isLoopbackName(host)) return options.local ? { ok: true } : { ok: false, reason: 'the host may not be localhost' };
  const refused = isIP(host) !== 0 ? forbiddenAddress(host, options) : null;
  return refused ? { ok: false, reason: `the host is refused: ${refused}` } : { ok: true };
}

export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

/** Every address the host resolves to (dns.lookup, all: true), as a connection would see them. */
export const lookupAll: LookupAll = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/** The first address of `addresses` that is refused, with why (null: all may be called). */
function refusedAmong(addresses: LookupAddress[], options: { local: boolean }): string | null {
  if (addresses.length === 0) return 'the host resolves to no address';
  for (const { address } of addresses) {
    const refused = forbiddenAddress(address, options);
    if (refused) return `the host is refused: ${refused}`;
  }
  return null;
}

/** The URL and every address its host resolves to now (at PUT time; a send checks again as it connects). */
export async function checkEndpoint(url: string, options: { local: boolean; lookup?: LookupAll }): Promise<EndpointCheck> {
  const syntax = checkEndpointUrl(url, options);
  if (!syntax.ok) return syntax;
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return syntax;
  let addresses: LookupAddress[];
  try {
    addresses = await (options.lookup ?? lookupAll)(host);
  } catch {
    return { ok: false, reason: 'the host does not resolve' };
  }
  const refused = refusedAmong(addresses, options);
  return refused ? { ok: false, reason: refused } : { ok: true };
}

/** Thrown by `checkedLookup` when the host resolves to a refused address; `code` names it for the sender. */
export class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) that resolves every address and refuses the connection if any is
 * forbidden. The address checked is the address connected to: a DNS answer that changes between
 * the check and the connection (DNS rebinding) cannot slip through.
 */
export function checkedLookup(options: { local: boolean; lookup?: LookupAll }) {
  return (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    (options.lookup ?? lookupAll)(hostname).then(
      (addresses) => {
        const refused = refusedAmong(addresses, options);
        if (refused) return callback(new RefusedAddressError(refused), []);
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
        if (lookupOptions.all) return callback(null, wanted);
        const first = wanted[0];
        if (!first) return callback(Object.assign(new Error('no address of the family asked for'), { code: 'ENOTFOUND' }), []);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

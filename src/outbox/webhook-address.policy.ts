import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { BlockList, isIP, LookupFunction } from 'node:net';

/**
 * Where webhooks may not go unless private networks are allowed (WEBHOOK_ALLOW_PRIVATE_NETWORKS): every
 * address that is not publicly routable. An organization owner choosing a webhook URL must not reach the
 * database port, /metrics, the cloud metadata service or anything else only this host's network can see.
 */
// Two lists: a BlockList also matches IPv4 addresses against IPv6 rules (as IPv4-mapped), and ::ffff:0:0/96 would catch them all.
const NON_PUBLIC_V4 = new BlockList();
const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, with the metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 3], // multicast, reserved, broadcast
] as const) {
  NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::ffff:0:0', 96], // IPv4-mapped: the IPv4 address is checked instead, see embeddedIpv4
  ['64:ff9b::', 96], // NAT64: likewise
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local, with fd00:ec2::254 (a metadata service)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address stands for. */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!mapped && !nat64) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (text.includes('::') ? missing < 1 : missing !== 0) return undefined;
  return [...headGroups, ...Array<string>(text.includes('::') ? missing : 0).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
}

/** Whether an IP address (v4 or v6) is publicly routable. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NON_PUBLIC_V4.check(address, 'ipv4');
  if (family !== 6) return false;
  const ipv4 = embeddedIpv4(address);
  if (ipv4 !== undefined) return isPublicAddress(ipv4);
  return !NON_PUBLIC_V6.check(address, 'ipv6');
}

/** A host name the resolver answers itself with loopback, whatever DNS says. */
function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Why a webhook URL cannot be delivered to, judged from the URL alone (an IP literal, in any form the URL parser
 * normalizes: hex, decimal, IPv4-mapped; or a local name), or undefined. Names that DNS resolves are judged
 * again on every delivery, on the addresses they resolve to then ({@link publicOnlyLookup}).
 */
export function nonPublicUrlReason(url: string): string | undefined {
  const hostname = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isLocalName(hostname)) return `${hostname} is this host`;
  if (isIP(hostname) && !isPublicAddress(hostname)) return `${hostname} is not a public address`;
  return undefined;
}

/** The error a delivery fails with when its host resolves to no public address; its message says no more than that. */
export class NonPublicAddressError extends Error {
  readonly code = 'ENONPUBLIC';
  constructor(hostname: string) {
    super(`${hostname} is not a public address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`);
    this.name = 'NonPublicAddressError';
  }
}

/**
 * A `lookup` for http(s).request that hands the socket only public addresses: the check is made on the very
 * addresses the connection will use, so a name that resolves (or is rebound) to loopback is refused too.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((a) => isPublicAddress(a.address));
    if (allowed.length === 0) return callback(new NonPublicAddressError(hostname), '', 0);
    if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
};

/**
 * What kind of address a URL's host names, for outbound fetches made on a client's say (Client ID
 * Metadata Documents and their keys): only public hosts are fetched from a deployed server.
 */

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail allowed); undefined if it is not one. */
export function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const bytes = dotted.slice(1).map(Number);
    if (bytes.some((byte) => byte > 255)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parts = (half: string | undefined) => (half ? half.split(":") : []);
  const head = parts(halves[0]);
  const tail = parts(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
}

type Range = readonly [base: number, bits: number];

/** IPv4 blocks that are not the public internet (RFC 6890 and friends), as [network, prefix length]. */
const IPV4_NON_PUBLIC: readonly Range[] = [
  [0x00000000, 8], // "this" network
  [0x0a000000, 8], // private
  [0x64400000, 10], // carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local (cloud metadata services live here)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, broadcast
];

const inRange = (address: number, [base, bits]: Range) => bits === 0 || (address ^ base) >>> (32 - bits) === 0;

function ipv4(hostname: string): number | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (!match) return undefined;
  const bytes = match.slice(1).map(Number);
  if (bytes.some((byte) => byte > 255)) return undefined;
  return bytes.reduce((address, byte) => address * 256 + byte, 0);
}

function ipv4NonPublic(address: number): boolean {
  return IPV4_NON_PUBLIC.some((range) => inRange(address, range));
}

/** The IPv4 address an IPv6 address carries (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96), if any. */
function embeddedIpv4(groups: readonly number[]): number | undefined {
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  return mapped || nat64 ? (groups[6] ?? 0) * 0x10000 + (groups[7] ?? 0) : undefined;
}

function ipv6NonPublic(groups: readonly number[]): boolean {
  const embedded = embeddedIpv4(groups);
  if (embedded !== undefined) return ipv4NonPublic(embedded);
  const first = groups[0] ?? 0;
  if (groups.slice(0, 7).every((group) => group === 0) && (groups[7] ?? 0) <= 1) return true; // :: and ::1
  if ((first & 0xfe00) === 0xfc00) return true; // unique local
  if ((first & 0xffc0) === 0xfe80) return true; // link-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  return first === 0x2001 && groups[1] === 0x0db8; // documentation
}

/** Names that never resolve to a public host: this machine, mDNS, private-use and single-label names. */
const NON_PUBLIC_NAME = /(^|\.)(localhost|local|internal|home\.arpa|lan|intranet)$/;

/**
 * Whether a URL's `hostname` (as `new URL()` gives it: IPv4 normalised, IPv6 in brackets) is the
 * public internet. A loopback, private, link-local, carrier-grade NAT, multicast or reserved
 * address, or a name that cannot be public, is not. A public name can still resolve to a private
 * address: a deployed Worker's fetch cannot reach those (Cloudflare refuses them), which is what
 * the `global_fetch_strictly_public` deployment relies on for names.
 */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = ipv6Groups(host.slice(1, -1));
    return groups !== undefined && !ipv6NonPublic(groups);
  }
  const address = ipv4(host);
  if (address !== undefined) return !ipv4NonPublic(address);
  return host.includes(".") && !NON_PUBLIC_NAME.test(host);
}

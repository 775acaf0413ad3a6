import { BlockList, isIP } from 'node:net';

/**
 * `TALLY_TRUST_PROXY`: which peers may tell us the client's address in `Forwarded` or
 * `X-Forwarded-For`. `off` (default) trusts nobody, `loopback` trusts 127.0.0.0/8 and ::1 (a proxy on
 * the same VM), otherwise a comma-separated list of addresses and CIDR ranges.
 */
export interface TrustedProxies {
  trusts(address: string): boolean;
}

/** Throws a message naming the bad entry; `[]` and `['off']` trust nobody. */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies | undefined {
  if (entries.length === 0 || (entries.length === 1 && entries[0] === 'off')) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [addr = '', prefix, extra] = entry.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) throw new Error(`${entry} is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) throw new Error(`${entry}: the prefix length is out of range`);
    list.addSubnet(addr, bits, type);
  }
  return {
    trusts(address) {
      const a = unmapIpv4(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** The list form used by the configuration (`off`, `loopback`, `10.0.0.2, 192.168.0.0/16`). */
export function trustProxyEntries(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

export function unmapIpv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/**
 * The client address a chain of trusted proxies reports: walk the hops from the nearest one
 * (rightmost) and take the first that is not itself a trusted proxy. Hops further left were written
 * by whoever is behind that address, so they prove nothing. Undefined if the header is absent or a
 * hop is not an address (then the peer address is used, as without a proxy).
 */
export function forwardedClient(headers: { forwarded?: string; xForwardedFor?: string }, trusted: TrustedProxies): string | undefined {
  const hops = headers.forwarded !== undefined ? forwardedFor(headers.forwarded) : headers.xForwardedFor?.split(',').map((s) => s.trim());
  if (!hops || hops.length === 0) return undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapIpv4(hops[i]!);
    if (isIP(hop) === 0) return undefined;
    if (i === 0 || !trusted.trusts(hop)) return hop;
  }
  return undefined;
}

/**
 * The `for=` values of an RFC 7239 `Forwarded` header, in order. Values may be quoted, IPv6 is in
 * brackets and either may carry a port (`for="[2001:db8::1]:4711"`, `for=192.0.2.60:8080`). An
 * obfuscated or `unknown` node yields a non-address, which the caller treats as unusable.
 */
function forwardedFor(value: string): string[] {
  const out: string[] = [];
  for (const element of value.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let v = pair.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
      const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
      if (bracketed) v = bracketed[1]!;
      else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
      out.push(v);
    }
  }
  return out;
}

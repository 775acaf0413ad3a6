import type { Context } from 'hono';
import { forwardedClient, unmapIpv4, type TrustedProxies } from './trusted-proxies.js';

/** The key requests are rate limited under when the socket address is unknown (`app.request()` tests). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The client address requests are rate limited under: the peer address of the TCP connection
 * (@hono/node-server's `c.env.incoming`), or, only when that peer is a trusted proxy
 * (`TALLY_TRUST_PROXY`), the address it reports in `Forwarded` / `X-Forwarded-For`. From anyone
 * else those headers are ignored: any client can write them. IPv4-mapped IPv6 is reduced to IPv4,
 * and an IPv6 address to its /64 prefix, because one host usually owns a whole /64 and could
 * otherwise rotate through it to escape the limit.
 */
export function clientAddress(c: Context, trusted?: TrustedProxies): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const raw = env?.incoming?.socket?.remoteAddress;
  if (!raw) return UNKNOWN_CLIENT;
  if (trusted?.trusts(raw)) {
    const forwarded = forwardedClient({ forwarded: c.req.header('forwarded'), xForwardedFor: c.req.header('x-forwarded-for') }, trusted);
    if (forwarded) return rateLimitKey(forwarded);
  }
  return rateLimitKey(raw);
}

export function rateLimitKey(address: string): string {
  const v4 = unmapIpv4(address);
  if (v4 !== address) return v4;
  if (!address.includes(':')) return address;
  const groups = expandIpv6(address.split('%')[0]!);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

function expandIpv6(a: string): string[] | undefined {
  const halves = a.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => g.replace(/^0+(?=.)/, ''));
}

import type { Context } from 'hono';

/** The key requests are rate limited under when the socket address is unknown (`app.request()` tests). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The peer address of the TCP connection, from @hono/node-server's `c.env.incoming`. Forwarding
 * headers are ignored on purpose: any client can write them. IPv4-mapped IPv6 is reduced to IPv4,
 * and an IPv6 address to its /64 prefix, because one host usually owns a whole /64 and could
 * otherwise rotate through it to escape the limit.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const raw = env?.incoming?.socket?.remoteAddress;
  return raw ? rateLimitKey(raw) : UNKNOWN_CLIENT;
}

export function rateLimitKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
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

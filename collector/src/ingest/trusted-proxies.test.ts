import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { makeTestDeps } from '../testing/index.js';
import { ev, post } from '../testing/ingest.js';
import { forwardedClient, parseTrustedProxies } from './trusted-proxies.js';

describe('TALLY_TRUST_PROXY', () => {
  it('is off by default and accepts loopback, addresses and CIDR ranges', () => {
    expect(loadConfig({}).trustProxy).toEqual(['off']);
    expect(loadConfig({ TALLY_TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TALLY_TRUST_PROXY: '10.0.0.2, 192.168.0.0/16,fd00::/8' }).trustProxy).toEqual(['10.0.0.2', '192.168.0.0/16', 'fd00::/8']);
  });

  it.each(['yes', '10.0.0.300', '10.0.0.0/33', '10.0.0.0/8/8', 'fd00::/129'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ TALLY_TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ TALLY_TRUST_PROXY: value })).toThrow(/TALLY_TRUST_PROXY: .*not an IP address|TALLY_TRUST_PROXY: .*prefix length/);
  });

  it('matches loopback (also IPv4-mapped), exact addresses and ranges', () => {
    const t = parseTrustedProxies(['loopback', '10.1.2.3', '192.168.0.0/16', 'fd00::/8'])!;
    for (const a of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '10.1.2.3', '192.168.200.1', 'fd12::1']) expect(t.trusts(a)).toBe(true);
    for (const a of ['10.1.2.4', '192.169.0.1', '2001:db8::1', '8.8.8.8', 'garbage']) expect(t.trusts(a)).toBe(false);
    expect(parseTrustedProxies(['off'])).toBeUndefined();
  });
});

describe('forwardedClient', () => {
  const t = parseTrustedProxies(['loopback', '10.0.0.0/8'])!;
  it('takes the nearest hop that is not a trusted proxy', () => {
    expect(forwardedClient({ xForwardedFor: '203.0.113.5' }, t)).toBe('203.0.113.5');
    // A client that writes its own X-Forwarded-For only prepends to what the proxy appends.
    expect(forwardedClient({ xForwardedFor: '1.2.3.4, 203.0.113.5' }, t)).toBe('203.0.113.5');
    expect(forwardedClient({ xForwardedFor: '203.0.113.5, 10.0.0.7' }, t)).toBe('203.0.113.5');
    expect(forwardedClient({ xForwardedFor: '127.0.0.1' }, t)).toBe('127.0.0.1');
  });
  it('reads RFC 7239 Forwarded, quoted, bracketed, with ports, and prefers it', () => {
    expect(forwardedClient({ forwarded: 'for=192.0.2.60;proto=https;by=203.0.113.43' }, t)).toBe('192.0.2.60');
    expect(forwardedClient({ forwarded: 'for="[2001:db8:cafe::17]:4711"' }, t)).toBe('2001:db8:cafe::17');
    expect(forwardedClient({ forwarded: 'for=198.51.100.1:8080, for=10.0.0.3', xForwardedFor: '5.5.5.5' }, t)).toBe('198.51.100.1');
  });
  it('gives up on an unusable hop (the peer address is used instead)', () => {
    expect(forwardedClient({}, t)).toBeUndefined();
    expect(forwardedClient({ forwarded: 'for=unknown' }, t)).toBeUndefined();
    expect(forwardedClient({ xForwardedFor: 'evil, 10.0.0.1' }, t)).toBeUndefined();
  });
});

describe('rate limiting behind a proxy', () => {
  const ten = { events: Array.from({ length: 10 }, () => ev()) };
  const setup = (trustProxy: string[]) => createApp(makeTestDeps({ config: { rateLimit: 10, trustProxy } }));

  it('keys on the forwarded client address when the peer is a trusted proxy', async () => {
    const app = setup(['10.0.0.1']);
    const via = (client: string) => post(app, ten, { address: '10.0.0.1', headers: { 'x-forwarded-for': client } });
    expect((await via('203.0.113.1')).status).toBe(200);
    expect((await via('203.0.113.1')).status).toBe(429);
    expect((await via('203.0.113.2')).status).toBe(200);
  });

  it('ignores the headers from anyone else, and everything when off', async () => {
    for (const app of [setup(['10.0.0.1']), setup(['off'])]) {
      const spoof = (client: string) => post(app, ten, { address: '198.51.100.9', headers: { 'x-forwarded-for': client, forwarded: `for=${client}` } });
      expect((await spoof('203.0.113.1')).status).toBe(200);
      expect((await spoof('203.0.113.2')).status).toBe(429);
    }
  });

  it('without TALLY_TRUST_PROXY, every visitor behind the proxy shares its bucket', async () => {
    const app = setup(['off']);
    expect((await post(app, ten, { address: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.1' } })).status).toBe(200);
    expect((await post(app, ten, { address: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.2' } })).status).toBe(429);
  });
});

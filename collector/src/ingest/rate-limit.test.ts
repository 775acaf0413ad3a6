import { describe, expect, it } from 'vitest';
import { rateLimitKey } from './client-address.js';
import { createRateLimiter } from './rate-limit.js';

describe('createRateLimiter', () => {
  it('refills continuously and refuses without taking tokens', () => {
    const rl = createRateLimiter(600); // 10 per second
    expect(rl.take('a', 600, 0)).toEqual({ ok: true });
    expect(rl.take('a', 1, 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // The last batch took the whole bucket: a pre-check expects another like it.
    expect(rl.check('a', 99)).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(rl.take('a', 1, 100)).toEqual({ ok: true });
    expect(rl.take('a', 50, 100)).toEqual({ ok: false, retryAfterSeconds: 5 });
    expect(rl.take('a', 50, 5100)).toEqual({ ok: true });
  });

  it('charges an empty batch one token', () => {
    const rl = createRateLimiter(2);
    expect(rl.take('a', 0, 0)).toEqual({ ok: true });
    expect(rl.take('a', 0, 0)).toEqual({ ok: true });
    expect(rl.take('a', 0, 0).ok).toBe(false);
  });

  it('forgets idle keys so its memory stays bounded', () => {
    const rl = createRateLimiter(60);
    for (let i = 0; i < 10_000; i++) rl.take(`k${i}`, 1, 0);
    expect(rl.size()).toBe(10_000);
    rl.take('late', 1, 60_000); // every earlier bucket is full again by now
    expect(rl.size()).toBe(1);
  });
});

describe('rateLimitKey', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::9', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['not-an-address', 'not-an-address'],
  ])('%s → %s', (address, key) => {
    expect(rateLimitKey(address)).toBe(key);
  });
});

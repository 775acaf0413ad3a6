import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has embedded defaults for everything', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      dataDir: './data',
      dashKey: undefined,
      allowedOrigins: ['*'],
      fsync: 'always',
      rateLimit: 12000,
      botFilter: true,
      maxBatch: 100,
      maxBodyBytes: 1048576,
      timeZone: 'UTC',
      rollupCron: '15 3 * * *',
      rawRetentionDays: 90,
      rollupRetentionDays: 365,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      TALLY_PORT: '9000',
      TALLY_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      TALLY_FSYNC: 'interval',
      TALLY_BOT_FILTER: 'off',
      TALLY_RATE_LIMIT: '0',
      TALLY_TZ: 'Europe/Berlin',
    });
    expect(c.port).toBe(9000);
    expect(c.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.fsync).toBe('interval');
    expect(c.botFilter).toBe(false);
    expect(c.rateLimit).toBe(0);
    expect(c.timeZone).toBe('Europe/Berlin');
  });

  it.each([
    ['TALLY_PORT', 'eighty'],
    ['TALLY_PORT', '70000'],
    ['TALLY_FSYNC', 'sometimes'],
    ['TALLY_BOT_FILTER', 'yes'],
    ['TALLY_MAX_BATCH', '0'],
    ['TALLY_TZ', 'Mars/Olympus'],
    ['TALLY_DASH_KEY', 'short'],
  ])('names %s when it is %s', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.join()).toContain(name);
    }
  });
});

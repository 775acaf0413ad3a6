import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.js';

describe('redactUrl', () => {
  it.each([
    ['https://a.example/p?email=x@y.z&q=shoes', 'https://a.example/p?email=REDACTED&q=shoes'],
    ['https://a.example/p?q=1&Token=abc', 'https://a.example/p?q=1&Token=REDACTED'],
    ['https://a.example/reset?reset_token=abc&step=2', 'https://a.example/reset?reset_token=REDACTED&step=2'],
    ['https://a.example/?password=1&pass=2&pwd=3&secret=4&auth=5', 'https://a.example/?password=REDACTED&pass=REDACTED&pwd=REDACTED&secret=REDACTED&auth=REDACTED'],
    ['https://a.example/?api_key=1&session=2&code=3', 'https://a.example/?api_key=REDACTED&session=REDACTED&code=REDACTED'],
    ['https://a.example/cb#access_token=abc&id_token=def&state=ok', 'https://a.example/cb#access_token=REDACTED&id_token=REDACTED&state=ok'],
    ['https://a.example/?%65mail=x', 'https://a.example/?%65mail=REDACTED'],
    ['https://a.example/?utm_source=news&page=2#top', 'https://a.example/?utm_source=news&page=2#top'],
    ['https://a.example/token/path', 'https://a.example/token/path'],
    ['/relative?code=1', '/relative?code=REDACTED'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

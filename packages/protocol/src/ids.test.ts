import { describe, expect, it } from 'vitest';
import { hasLoneSurrogate, isValidId } from './ids.js';

describe('the id rule', () => {
  it('counts UTF-16 code units and refuses lone surrogates', () => {
    expect(isValidId('😀'.repeat(128), 256)).toBe(true);
    expect(isValidId('😀'.repeat(128) + 'x', 256)).toBe(false);
    expect(isValidId('', 256)).toBe(true);
    expect(isValidId('', 64, 1)).toBe(false);
    expect(isValidId(42, 64)).toBe(false);
    for (const bad of ['\ud800', 'a\ud800', '\udc00b', 'x\ud83d\ude00\ude00', '\ud83d\ud83d']) expect(hasLoneSurrogate(bad)).toBe(true);
    for (const good of ['', 'abc', '\ud83d\ude00', 'a\ud83d\ude00b', '\uffff']) expect(hasLoneSurrogate(good)).toBe(false);
  });
});

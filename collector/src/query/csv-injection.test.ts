import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

// Names an attacker can send as features (issue #10, item 3); each must reach CSV as text.
const HOSTILE = ["=cmd|' /C notepad'!A1", '+1+2', '-3+4', '@SUM(A1:A9)', '\t=1', '\r=2'];

describe('CSV answers neutralise formula cells', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    await h.log.append(HOSTILE.map((feature, i) => ev(`2026-11-20T09:0${i}:00Z`, { user_id: `u${i}`, event_type: 'action', feature })));
  });
  afterEach(() => h.close());

  for (const path of [
    '/api/analytics/breakdown?by=feature&from=2026-11-20&to=2026-11-20&format=csv',
    '/api/analytics/usage?days=1&format=csv',
  ]) {
    it(path.split('?')[0]!, async () => {
      const t = appFor(h);
      const res = await t.get(path);
      expect(res.status).toBe(200);
      const csv = await res.text();
      for (const name of HOSTILE) {
        const cell = `'${name}`;
        expect(csv).toContain(/[\r\n",]/.test(cell) ? `"${cell}"` : cell);
      }
      // No cell of the answer starts with a formula character.
      for (const line of csv.split('\r\n')) {
        for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@\t]|^-(?!\d+(\.\d+)?$)/);
      }
    });
  }
});

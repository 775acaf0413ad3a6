import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startCollector, type CollectorProcess } from '../support/collector-process.js';
import { freePort } from '../support/ports.js';

const DIR = resolve(REPO_ROOT, 'deploy/prometheus');
const PROMTOOL = '/usr/bin/promtool';
const promtool = (...args: string[]) => spawnSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8' });

// Debian's `prometheus` package ships promtool; .ci/run installs it. Without it there is no
// rule engine to check the rules with.
const suite = existsSync(PROMTOOL) ? describe : describe.skip;

suite('deploy/prometheus', () => {
  it('the configuration and rules are valid (promtool check config / check rules)', () => {
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config.status, config.stdout + config.stderr).toBe(0);
    const rules = promtool('check', 'rules', 'tally.rules.yml');
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
    expect(rules.stdout).toContain('SUCCESS: 8 rules found');
  });

  it('every alert fires when it should and not before (promtool test rules)', () => {
    const r = promtool('test', 'rules', 'tally.rules.test.yml');
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  describe('against a real collector', () => {
    let collector: CollectorProcess;
    let data: string;
    beforeAll(async () => {
      data = mkdtempSync(join(tmpdir(), 'tally-prom-'));
      collector = await startCollector({ port: await freePort(), dataDir: data });
    });
    afterAll(async () => {
      await collector?.stop();
      rmSync(data, { recursive: true, force: true });
    });

    it('every tally_* metric the rules use is in its /metrics, which promtool accepts', async () => {
      const text = await (await fetch(`${collector.url}/metrics`)).text();
      // tally_forward_* appear only when a forwarder (Kafka, ClickHouse) is configured, which needs
      // those servers; the forwarders' own tests check that those metrics are exported.
      const used = new Set(readFileSync(join(DIR, 'tally.rules.yml'), 'utf8').match(/\btally_(?!forward_)[a-z_]+/g));
      expect(used.size).toBeGreaterThanOrEqual(4);
      const exported = new Set([...text.matchAll(/^# TYPE (tally_[a-z_]+) /gm)].map((m) => m[1]));
      expect([...used].filter((m) => !exported.has(m))).toEqual([]);
      expect(text).toMatch(/^tally_log_writable 1$/m);
      expect(text).toMatch(/^tally_rollup_pending_since_timestamp_seconds 0$/m);
      const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      // `check metrics` only lints names and help texts; an unparsable exposition fails it.
      expect(lint.stderr).not.toMatch(/error while linting/);
    });
  });
});

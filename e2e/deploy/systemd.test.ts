import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/collector-process.js';

const UNIT = resolve(REPO_ROOT, 'deploy/tally.service');
const ANALYZE = '/usr/bin/systemd-analyze';

// Debian's `systemd` package provides systemd-analyze; .ci/run installs it. A machine without
// it (a developer's non-systemd box) cannot verify a unit at all.
const suite = existsSync(ANALYZE) ? describe : describe.skip;

suite('deploy/tally.service', () => {
  it('passes systemd-analyze verify without a single warning', () => {
    let unit = UNIT;
    let tmp: string | undefined;
    // verify checks that ExecStart's binary exists. The unit names Debian's /usr/bin/node (the
    // install guide's); where Node lives elsewhere (CI images), the same unit is checked with
    // this Node's path instead — nothing else is changed.
    if (!existsSync('/usr/bin/node')) {
      tmp = mkdtempSync(join(tmpdir(), 'tally-unit-'));
      unit = join(tmp, 'tally.service');
      writeFileSync(unit, readFileSync(UNIT, 'utf8').replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
    }
    try {
      const r = spawnSync(ANALYZE, ['verify', unit], { encoding: 'utf8' });
      expect(r.stderr + r.stdout).toBe('');
      expect(r.status).toBe(0);
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a mistake in it would be caught (the check is not vacuous)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tally-unit-'));
    try {
      const bad = join(tmp, 'tally.service');
      writeFileSync(bad, readFileSync(UNIT, 'utf8').replace('Restart=on-failure', 'Restart=sometimes'));
      const r = spawnSync(ANALYZE, ['verify', bad], { encoding: 'utf8' });
      expect(r.stderr).toMatch(/Failed to parse service restart specifier/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('has what the install guide promises: own user, restart, drain time, one writable path, env file', () => {
    const text = readFileSync(UNIT, 'utf8');
    for (const line of [
      'User=tally',
      'Restart=on-failure',
      'TimeoutStopSec=60s',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/tally',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'EnvironmentFile=/etc/tally/env',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });
});

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
  it('it and the backup service and timer pass systemd-analyze verify without a single warning', () => {
    const names = ['tally.service', 'tally-backup.service', 'tally-backup.timer'];
    let dir = resolve(REPO_ROOT, 'deploy');
    let tmp: string | undefined;
    // verify checks that ExecStart's binary exists. The units name Debian's /usr/bin/node (the
    // install guide's); where Node lives elsewhere (CI images), the same units are checked with
    // this Node's path instead — nothing else is changed.
    if (!existsSync('/usr/bin/node')) {
      tmp = mkdtempSync(join(tmpdir(), 'tally-unit-'));
      for (const n of names) writeFileSync(join(tmp, n), readFileSync(join(dir, n), 'utf8').replaceAll('/usr/bin/node ', `${process.execPath} `));
      dir = tmp;
    }
    try {
      const r = spawnSync(ANALYZE, ['verify', ...names.map((n) => join(dir, n))], { encoding: 'utf8' });
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

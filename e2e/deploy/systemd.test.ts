import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
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

  it("the backup unit's command line makes a dated backup (run by sh as systemd would, paths moved to temp dirs)", () => {
    const unit = readFileSync(resolve(REPO_ROOT, 'deploy/tally-backup.service'), 'utf8');
    const exec = /^ExecStart=\/bin\/sh -c '(.+)'$/m.exec(unit)?.[1];
    expect(exec).toBeDefined();
    const tmp = mkdtempSync(join(tmpdir(), 'tally-backup-unit-'));
    try {
      const data = join(tmp, 'data');
      const gen = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=tally-source', 'collector/src/cli/main.ts', 'generate', '--days', '2', '--events-per-day', '20', '--users', '5'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, TALLY_DATA_DIR: data },
        encoding: 'utf8',
      });
      expect(gen.status, gen.stderr).toBe(0);
      // systemd turns %% into %; the rest is the unit's text.
      const command = exec!.replaceAll('%%', '%').replaceAll('/var/backups/tally', join(tmp, 'backups')).replace('/usr/bin/node ', `${process.execPath} `);
      const r = spawnSync('/bin/sh', ['-c', command], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, TALLY_DATA_DIR: data, TALLY_LOG_LEVEL: 'warn' }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const made = readdirSync(join(tmp, 'backups'));
      expect(made).toHaveLength(1);
      expect(made[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{6}Z$/);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, events: 40, event_days: 2 });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

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

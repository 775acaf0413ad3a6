import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clickhouseDdl } from './schema.js';
import { funnelSql, retentionSql, usageSql } from './sql.js';

/** The README shows exactly the DDL and SQL the tests run against ClickHouse (docs tell the truth). */
const README = readFileSync(resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../README.md'), 'utf8');

describe('README "Scaling out"', () => {
  it('shows the DDL and the tested SQL verbatim', () => {
    expect(README).toContain(`${clickhouseDdl({ database: 'default', table: 'events' }, 90)};`);
    expect(README).toContain(`${usageSql('events', '2026-10-22', '2026-11-20')};`);
    expect(README).toContain(`${funnelSql('events', ['page_view:pricing', 'action:signup_button', 'conversion:signup'], 7 * 86_400_000, '2026-10-22', '2026-11-20')};`);
    expect(README).toContain(`${retentionSql('events')};`);
  });
});

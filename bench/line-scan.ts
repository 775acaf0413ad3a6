import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { newSpans, scanLine } from '../collector/src/forward/line-scan.js';
import { parseLine } from '../collector/src/logstore/ndjson.js';
import { runAsScript } from './as-script.js';
import { fillLog } from './forward-sinks.js';
import { median } from './ingest.js';
import { num } from './knobs.js';

/**
 * The forwarders' per-line check, side by side with the one it replaced. Every stored line a
 * forwarder sends is first checked: `scanLine` (forward/line-scan.ts) walks its bytes once, checks
 * the JSON grammar and notes where the sinks' fields are; the log reader's `parseLine` (what the
 * forwarders ran before) decodes the line and builds the event with JSON.parse. Same lines (the
 * ingest benchmark's events as the collector stores them), alternating rounds, medians of
 * nanoseconds per line and their ratio. The scan is the largest item of the forwarder thread's own
 * profile (docs/benchmarks.md, "Fifth pass"). Knobs: BENCH_SCAN_EVENTS (50000), BENCH_SCAN_ROUNDS (9).
 */

export async function run(): Promise<Record<string, unknown>> {
  const events = num('BENCH_SCAN_EVENTS', 50_000);
  const rounds = num('BENCH_SCAN_ROUNDS', 9);
  const dataDir = await fillLog(events);
  try {
    const dir = join(dataDir, 'events');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
    const buf = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
    const starts: number[] = [];
    const ends: number[] = [];
    for (let p = 0; ; ) {
      const n = buf.indexOf(10, p);
      if (n < 0) break;
      starts.push(p);
      ends.push(n);
      p = n + 1;
    }
    const spans = newSpans();
    const scan = (): number => {
      let ok = 0;
      for (let i = 0; i < starts.length; i++) if (scanLine(buf, starts[i]!, ends[i]!, spans)) ok++;
      return ok;
    };
    const parse = (): number => {
      let ok = 0;
      for (let i = 0; i < starts.length; i++) if (parseLine(buf.toString('utf8', starts[i]!, ends[i]!)) !== undefined) ok++;
      return ok;
    };
    const timed = (f: () => number): number => {
      const t = process.hrtime.bigint();
      const ok = f();
      const ns = Number(process.hrtime.bigint() - t) / starts.length;
      // Both accept every stored line; a count that differs means the comparison is void.
      if (ok !== starts.length) throw new Error(`${ok} of ${starts.length} lines accepted`);
      return ns;
    };
    timed(scan); // warm-up: both optimized before the timed rounds
    timed(parse);
    const scanNs: number[] = [];
    const parseNs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        scanNs.push(timed(scan));
        parseNs.push(timed(parse));
      } else {
        parseNs.push(timed(parse));
        scanNs.push(timed(scan));
      }
    }
    const s = median(scanNs);
    const p = median(parseNs);
    return {
      lines: starts.length,
      bytes_per_line: Math.round(buf.length / starts.length),
      rounds,
      ns_per_line: { scan_line: Math.round(s), parse_line: Math.round(p) },
      scan_line_ns_per_byte: Number((s / (buf.length / starts.length)).toFixed(2)),
      ratio_scan_to_parse: Number((s / p).toFixed(3)),
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

runAsScript(import.meta.url, run);

import { createServer } from 'node:http';
import { fdatasync, openSync, write } from 'node:fs';

/**
 * The ingestion ceiling: a bare `node:http` server that appends each raw request body (plus a
 * newline) to one file and answers 200 only after an fdatasync — the same durability promise as
 * the collector with TALLY_FSYNC=always, and group-committed the same way (bodies that arrive
 * while a sync runs share the next one), so the comparison isolates the cost of our own work:
 * parsing, validation, dedup, normalization, JSON encoding. No parsing or validation here at all.
 * Usage: node --import tsx bench/ceiling-server.ts <file>   (prints the URL on stdout)
 */
const file = process.argv[2];
if (!file) throw new Error('usage: ceiling-server.ts <file>');
const fd = openSync(file, 'a');
const NL = Buffer.from('\n');
const ANSWER = '{"ok":true}';
let pending: { body: Buffer; done: () => void }[] = [];
let busy = false;

function flush(): void {
  if (pending.length === 0) {
    busy = false;
    return;
  }
  busy = true;
  const group = pending;
  pending = [];
  const bufs: Buffer[] = [];
  for (const p of group) bufs.push(p.body, NL);
  writeAll(Buffer.concat(bufs), 0, () =>
    fdatasync(fd, (err) => {
      if (err) throw err;
      for (const p of group) p.done();
      flush();
    }),
  );
}

function writeAll(buf: Buffer, off: number, then: () => void): void {
  write(fd, buf, off, buf.length - off, null, (err, n) => {
    if (err) throw err;
    if (off + n < buf.length) writeAll(buf, off + n, then);
    else then();
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    pending.push({
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      done: () => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER),
    });
    if (!busy) flush();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  if (a && typeof a === 'object') process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${a.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

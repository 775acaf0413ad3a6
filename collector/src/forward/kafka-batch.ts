/**
 * Kafka's RecordBatch (magic 2) and the Produce request body (versions 3–8 share it), encoded in
 * one pass into one buffer: https://kafka.apache.org/documentation/#recordbatch and
 * https://kafka.apache.org/protocol#The_Messages_Produce. kafkajs builds the same bytes through
 * several growing buffers and 64-bit number objects per record, which cost about 30 µs of CPU per
 * event (profiled, docs/benchmarks.md); here a record is a few varints and two copies.
 * `kafka-batch.test.ts` checks the bytes against kafkajs's own encoder.
 */

/**
 * One record: the key `key[keyAt, keyAt + keyLen)` and the value `line[at, at + len)`, as offsets
 * (a forwarded record is one: see ForwardRecord), so a batch is encoded without a view per record.
 */
export interface KafkaRecord {
  key: Buffer;
  keyAt: number;
  keyLen: number;
  line: Buffer;
  at: number;
  len: number;
}

/** A record of a whole key and a whole value. */
export const kafkaRecord = (key: Buffer, value: Buffer): KafkaRecord => ({ key, keyAt: 0, keyLen: key.length, line: value, at: 0, len: value.length });

export interface BatchHeader {
  /** Every record of the batch gets the same timestamp (ms): the time it was sent. */
  timestamp: number;
  /** -1 without the idempotent producer. */
  producerId: bigint;
  producerEpoch: number;
  /** -1 without the idempotent producer. */
  firstSequence: number;
}

/** The same headers on every record, encoded once: count, then key/value pairs. */
export function encodeHeaders(headers: Readonly<Record<string, string>>): Buffer {
  const entries = Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
  const parts: number[] = [];
  pushVarint(parts, entries.length);
  const chunks: Buffer[] = [Buffer.from(parts)];
  for (const [k, v] of entries) {
    const lk: number[] = [];
    pushVarint(lk, k.length);
    const lv: number[] = [];
    pushVarint(lv, v.length);
    chunks.push(Buffer.from(lk), k, Buffer.from(lv), v);
  }
  return Buffer.concat(chunks);
}

function pushVarint(out: number[], n: number): void {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
}

/** Bytes of a zigzag varint (values here are non-negative and below 2^30). */
const varintSize = (n: number) => {
  const z = ((n << 1) ^ (n >> 31)) >>> 0;
  return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : 5;
};

function writeVarint(buf: Buffer, at: number, n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[at++] = z;
  return at;
}

/** Bytes after the batch's length field up to the first record. */
const BATCH_FIXED = 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** Offset of the attributes field, where the CRC's range starts. */
const CRC_FROM = 8 + 4 + 4 + 1 + 4;

function recordBodySize(r: KafkaRecord, i: number, headers: Buffer): number {
  // attributes, timestamp delta (0), offset delta, key, value, headers
  return 1 + 1 + varintSize(i) + varintSize(r.keyLen) + r.keyLen + varintSize(r.len) + r.len + headers.length;
}

/** Size of the RecordBatch of `records` (with its offset and length fields). */
export function batchSize(records: readonly KafkaRecord[], headers: Buffer): number {
  let n = 8 + 4 + BATCH_FIXED;
  for (let i = 0; i < records.length; i++) {
    const body = recordBodySize(records[i]!, i, headers);
    n += varintSize(body) + body;
  }
  return n;
}

/** Writes the RecordBatch of `records` at `at`; returns the offset after it. */
export function writeBatch(buf: Buffer, at: number, records: readonly KafkaRecord[], headers: Buffer, h: BatchHeader): number {
  const start = at;
  buf.writeBigInt64BE(0n, at); // base offset: the broker assigns offsets
  const lengthAt = at + 8;
  at += 12;
  buf.writeInt32BE(0, at); // partition leader epoch (the broker sets it)
  buf[at + 4] = 2; // magic
  at += 9; // + CRC, written last
  buf.writeInt16BE(0, at); // attributes: no compression, create time, not transactional
  buf.writeInt32BE(records.length - 1, at + 2);
  buf.writeBigInt64BE(BigInt(h.timestamp), at + 6);
  buf.writeBigInt64BE(BigInt(h.timestamp), at + 14);
  buf.writeBigInt64BE(h.producerId, at + 22);
  buf.writeInt16BE(h.producerEpoch, at + 30);
  buf.writeInt32BE(h.firstSequence, at + 32);
  buf.writeInt32BE(records.length, at + 36);
  at += 40;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    at = writeVarint(buf, at, recordBodySize(r, i, headers));
    buf[at++] = 0; // record attributes
    buf[at++] = 0; // timestamp delta
    at = writeVarint(buf, at, i);
    // A key byte by byte: Buffer#copy's argument checks cost more than copying a few dozen bytes.
    at = writeVarint(buf, at, r.keyLen);
    const key = r.key;
    for (let k = r.keyAt, e = r.keyAt + r.keyLen; k < e; k++) buf[at++] = key[k]!;
    at = writeVarint(buf, at, r.len);
    at += r.line.copy(buf, at, r.at, r.at + r.len);
    buf.set(headers, at);
    at += headers.length;
  }
  buf.writeInt32BE(at - start - 12, lengthAt);
  buf.writeUInt32BE(crc32c(buf, start + CRC_FROM, at), start + 8 + 4 + 4 + 1);
  return at;
}

export interface PartitionBatch {
  partition: number;
  records: readonly KafkaRecord[];
  firstSequence: number;
}

/**
 * A Produce request body (v3–v8): no transactional id, one topic, one batch per partition. With
 * `room`, the body starts `room` bytes into the buffer, for the request's framing (`frameRequest`)
 * to be written in front of it instead of copying the body behind it.
 */
export function encodeProduce(topic: string, acks: number, timeoutMs: number, parts: readonly PartitionBatch[], headers: Buffer, h: Omit<BatchHeader, 'firstSequence'>, room = 0): Buffer {
  const name = Buffer.from(topic);
  let size = room + 2 + 2 + 4 + 4 + 2 + name.length + 4;
  for (const p of parts) size += 4 + 4 + batchSize(p.records, headers);
  const buf = Buffer.allocUnsafe(size);
  let at = buf.writeInt16BE(-1, room); // transactional_id: null
  at = buf.writeInt16BE(acks, at);
  at = buf.writeInt32BE(timeoutMs, at);
  at = buf.writeInt32BE(1, at); // one topic
  at = buf.writeInt16BE(name.length, at);
  at += name.copy(buf, at);
  at = buf.writeInt32BE(parts.length, at);
  for (const p of parts) {
    at = buf.writeInt32BE(p.partition, at);
    const lengthAt = at;
    const end = writeBatch(buf, at + 4, p.records, headers, { ...h, firstSequence: p.firstSequence });
    buf.writeInt32BE(end - at - 4, lengthAt);
    at = end;
  }
  if (at !== size) throw new Error(`kafka: produce request size mismatch (${at} != ${size})`);
  return buf;
}

/** Bytes of a request's framing (size, then the v1 request header) for a client id. */
export const frameRoom = (clientId: string | null) => 4 + 2 + 2 + 4 + 2 + (clientId === null ? 0 : Buffer.byteLength(clientId));

/**
 * Writes a request's framing into the first `frameRoom(clientId)` bytes of `buf`, in front of the
 * body: the size of what follows, api key, api version, correlation id, client id (a nullable
 * string), as kafkajs's `protocol/request.js` writes them (`kafka-batch.test.ts`).
 */
export function frameRequest(buf: Buffer, apiKey: number, apiVersion: number, correlationId: number, clientId: string | null): Buffer {
  let at = buf.writeInt32BE(buf.length - 4, 0);
  at = buf.writeInt16BE(apiKey, at);
  at = buf.writeInt16BE(apiVersion, at);
  at = buf.writeInt32BE(correlationId, at);
  if (clientId === null) buf.writeInt16BE(-1, at);
  else {
    at = buf.writeInt16BE(Buffer.byteLength(clientId), at);
    buf.write(clientId, at);
  }
  return buf;
}

/** CRC-32C (Castagnoli), slicing by 8: the batch checksum covers every byte of every record. One flat table of 8 × 256. */
const T = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = t[(t[(k - 1) * 256 + n]! & 0xff)]! ^ (t[(k - 1) * 256 + n]! >>> 8);
  return t;
})();
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function crc32c(buf: Uint8Array, from = 0, to = buf.length): number {
  const t = T;
  let crc = -1;
  let i = from;
  // Byte by byte up to a 4-byte boundary of the memory, then two aligned 32-bit reads per 8 bytes.
  while (i < to && (buf.byteOffset + i) & 3) crc = t[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8);
  if (LITTLE_ENDIAN && to - i >= 8) {
    const words = new Int32Array(buf.buffer, buf.byteOffset + i, (to - i) >> 2);
    const pairs = words.length & ~1;
    for (let w = 0; w < pairs; w += 2) {
      const a = crc ^ words[w]!;
      const b = words[w + 1]!;
      crc =
        t[7 * 256 + (a & 0xff)]! ^
        t[6 * 256 + ((a >>> 8) & 0xff)]! ^
        t[5 * 256 + ((a >>> 16) & 0xff)]! ^
        t[4 * 256 + (a >>> 24)]! ^
        t[3 * 256 + (b & 0xff)]! ^
        t[2 * 256 + ((b >>> 8) & 0xff)]! ^
        t[256 + ((b >>> 16) & 0xff)]! ^
        t[b >>> 24]!;
    }
    i += pairs * 4;
  }
  for (; i < to; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * The Java client's murmur2 (Utils.murmur2), by which a key picks its partition as in any Kafka
 * client: in 32-bit arithmetic with Math.imul. kafkajs's own does it with 64-bit Long objects, a
 * few dozen allocations per key; `kafka-batch.test.ts` checks both agree.
 */
export function murmur2(data: Uint8Array, from = 0, to = data.length): number {
  const m = 0x5bd1e995;
  const length = to - from;
  let h = 0x9747b28c ^ length;
  const whole = from + (length & ~3);
  for (let i = from; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[whole + 2]! << 16;
    // falls through
    case 2:
      h ^= data[whole + 1]! << 8;
    // falls through
    case 1:
      h ^= data[whole]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c, encodeHeaders, encodeProduce, frameRequest, frameRoom, kafkaRecord, murmur2, type KafkaRecord } from './kafka-batch.js';

/** The Produce request bytes must be exactly kafkajs's for the same input (kafkajs is the reference encoder). */

const require = createRequire(import.meta.url);
type KafkajsRequest = (o: Record<string, unknown>) => { encode(): Promise<{ buffer: Buffer }> };
const kafkajsProduceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as KafkajsRequest;

const HEADERS = { 'tally-schema': '1' };

/** Keys and values inside larger buffers (as a forwarded record's are inside its read chunk). */
function records(n: number, valueBytes: (i: number) => number): KafkaRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const key = Buffer.from(i % 3 === 0 ? `user-é-${i}` : `a-${i}`);
    const value = Buffer.from(JSON.stringify({ event_id: `e${i}`, pad: 'x'.repeat(valueBytes(i)), text: '汉字' }));
    const line = Buffer.concat([Buffer.from('{"before":1}\n'), value, Buffer.from('\n{"after"')]);
    return i % 2 === 0 ? kafkaRecord(key, value) : { key: Buffer.concat([Buffer.from('xyz'), key, Buffer.from('!')]), keyAt: 3, keyLen: key.length, line, at: 13, len: value.length };
  });
}
const keyBytes = (r: KafkaRecord) => r.key.subarray(r.keyAt, r.keyAt + r.keyLen);
const valueBytes = (r: KafkaRecord) => r.line.subarray(r.at, r.at + r.len);

const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

interface KafkajsEncoder {
  writeInt16(n: number): KafkajsEncoder;
  writeInt32(n: number): KafkajsEncoder;
  writeString(s: string | null): KafkajsEncoder;
  writeEncoder(e: unknown): KafkajsEncoder;
  size(): number;
  buffer: Buffer;
}
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => KafkajsEncoder;

describe('kafka record batch encoding', () => {
  it('frames a request in front of its body as kafkajs protocol/request.js does', () => {
    const body = Buffer.from('the produce request body');
    for (const clientId of ['tally-collector', 'ü-client', null]) {
      const room = frameRoom(clientId);
      const ours = frameRequest(Buffer.concat([Buffer.alloc(room), body]), 0, 3, 77, clientId);
      // kafkajs 2.2.4 protocol/request.js, step by step.
      const payload = { buf: body, buffer: body };
      const inner = new Encoder().writeInt16(0).writeInt16(3).writeInt32(77).writeString(clientId).writeEncoder(payload);
      expect(ours.equals(new Encoder().writeInt32(inner.size()).writeEncoder(inner).buffer), String(clientId)).toBe(true);
    }
  });

  it('murmur2 picks the partition kafkajs (and the Java client) would', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'user-42', 'a-0', 'user-é-汉字-😀', '90228bb3-0000-4000-8000-000000000032'];
    for (let i = 0; i < 2000; i++) keys.push(Buffer.from(Array.from({ length: i % 67 }, (_, k) => (i * 31 + k * 97) % 256)).toString('latin1'));
    for (const k of keys) {
      const b = Buffer.from(k, 'latin1');
      expect(murmur2(b), JSON.stringify(k)).toBe(kafkajsMurmur2(b));
      expect(murmur2(Buffer.concat([Buffer.from('ab'), b, Buffer.from('c')]), 2, 2 + b.length)).toBe(kafkajsMurmur2(b));
    }
  });

  it('CRC-32C of the standard check string', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const b = Buffer.from('a longer input that crosses several eight-byte blocks, with an odd tail!');
    let bytewise = 0xffffffff;
    for (const x of b) {
      bytewise ^= x;
      for (let k = 0; k < 8; k++) bytewise = bytewise & 1 ? 0x82f63b78 ^ (bytewise >>> 1) : bytewise >>> 1;
    }
    expect(crc32c(b)).toBe((bytewise ^ 0xffffffff) >>> 0);
    expect(crc32c(b, 3, 40)).toBe(crc32c(b.subarray(3, 40)));
  });

  it('CRC-32C at every alignment and length (word reads start at a 4-byte boundary of memory)', () => {
    const bytewise = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const big = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 131 + 7) % 256));
    for (let view = 0; view < 4; view++) {
      const v = big.subarray(view);
      for (let from = 0; from < 9; from++) for (let len = 0; len < 70; len++) expect(crc32c(v, from, from + len)).toBe(bytewise(v.subarray(from, from + len)));
    }
  });

  it.each([
    ['one small record', 1, () => 10],
    ['records whose lengths need 1, 2 and 3 varint bytes', 200, (i: number) => (i % 3 === 0 ? 40 : i % 3 === 1 ? 300 : 20_000)],
  ])('a Produce request equals kafkajs encoding: %s', async (_, n, size) => {
    const timestamp = 1_764_000_000_123;
    const parts = [
      { partition: 0, firstSequence: 7, records: records(n, size) },
      { partition: 3, firstSequence: 0, records: records(Math.max(1, n >> 1), (i) => size(i + 1)) },
    ];
    const ours = encodeProduce('tally.events', -1, 30_000, parts, encodeHeaders(HEADERS), { timestamp, producerId: 4321n, producerEpoch: 2 });
    const theirs = await kafkajsProduceV3({
      acks: -1,
      timeout: 30_000,
      producerId: 4321,
      producerEpoch: 2,
      topicData: [
        {
          topic: 'tally.events',
          partitions: parts.map((p) => ({ partition: p.partition, firstSequence: p.firstSequence, messages: p.records.map((r) => ({ key: keyBytes(r), value: valueBytes(r), headers: HEADERS, timestamp })) })),
        },
      ],
    }).encode();
    expect(ours.equals(theirs.buffer)).toBe(true);
  });

  it('without the idempotent producer: producer id and first sequence -1, as kafkajs writes them', async () => {
    const timestamp = 1_764_000_000_000;
    const recs = records(3, () => 5);
    const ours = encodeProduce('t', 1, 1000, [{ partition: 1, firstSequence: -1, records: recs }], encodeHeaders(HEADERS), { timestamp, producerId: -1n, producerEpoch: 0 });
    const theirs = await kafkajsProduceV3({
      acks: 1,
      timeout: 1000,
      topicData: [{ topic: 't', partitions: [{ partition: 1, firstSequence: -1, messages: recs.map((r) => ({ key: keyBytes(r), value: valueBytes(r), headers: HEADERS, timestamp })) }] }],
    }).encode();
    expect(ours.equals(theirs.buffer)).toBe(true);
  });
});

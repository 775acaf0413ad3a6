// Runs inside the Hermes VM: the SDK's client path with an MMKV-shaped store and a recording
// transport. Prints one line `RESULT <json>` for the test to check.
import { init } from '../init';
import { AppState } from './react-native-stand-in';

declare const print: (...a: unknown[]) => void;

const disk = new Map<string, string>();
const mmkv = {
  getString: (k: string) => disk.get(k),
  set: (k: string, v: string) => void disk.set(k, v),
  delete: (k: string) => void disk.delete(k),
};
const sent: string[] = [];
let answer = 503;
const transport = {
  send: async (body: string) => {
    sent.push(body);
    const status = answer;
    answer = 200;
    return status == 200 ? { status, body: { ok: true as const, logged: JSON.parse(body).events.length, duplicates: 0, rejected: [] } } : { status, retryAfterMs: 0 };
  },
};

const client = init({ endpoint: 'http://collector.test', app: 'hermes', storage: mmkv, transport, appVersion: '2.0.0 (7)' });
client.screen('Home', { tab: 'feed' });
client.track('add_to_cart', 'cart', { sku: 'A-1', qty: 2 });
client.setUserId('user-42');
client.track('checkout', 'cart');

(async () => {
  // The collector answers 503 first: the events stay queued, then a return to active delivers them.
  await client.flush();
  const queuedAfter503 = [...disk.keys()].filter((k) => k.indexOf('tally.e') >= 0).length;
  AppState.emit('background');
  AppState.emit('active');
  await client.flush();
  const left = [...disk.keys()].filter((k) => k.indexOf('tally.e') >= 0).length;
  print('RESULT ' + JSON.stringify({ sent, queuedAfter503, left, stats: client.stats() }));
  client.shutdown();
})().catch((e) => print('ERROR ' + String(e && e.stack ? e.stack : e)));

export { createForwardHub, sinksFor } from './hub.js';
export type { ForwardHub, ForwardHubOptions } from './hub.js';
export { createForwarder } from './forwarder.js';
export type { Forwarder, ForwarderStatus, TailLog } from './forwarder.js';
export { allCheckpoints, checkpointPath, loadCheckpoint } from './checkpoint.js';
export type { Checkpoint, PendingErasure } from './checkpoint.js';
export type { ForwardConfig, KafkaConfig, ClickHouseConfig } from './config.js';
export { clickhouseDdl, clickhouseRow } from './schema.js';
export type { Sink, ForwardRecord } from './sink.js';

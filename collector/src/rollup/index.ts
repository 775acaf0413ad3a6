// The rollup's interface. Writers and wiring: `openRollups` (the composition roots) and the ledger
// contract. Readers (query/, privacy/, backup/): the dimensions, the engine's day views, the funnel
// step logs, and the facade's types. Everything else in this folder is the rollup's own business.
export { openRollups } from './open.js';
export type { OpenRollupsOptions } from './open.js';
export type { Rollups, RollupPurge } from './rollups.js';
export type { DropReport, IngestTally, Ledger, RejectedEvent } from './ledger-contract.js';
export { SCHEMA_VERSION } from './db.js';
// The read API of the cubes.
export { DIM_INDEX, DIMS, NO_USER } from './cube.js';
export type { Dim, RowSet } from './cube.js';
export type { DayView, Engine } from './engine.js';
// The read API of the per-day breakdown indexes (the query reads them through the day store).
export { entryKey, orUsers, parseIndex } from './breakdown-index.js';
export type { ParsedIndex } from './breakdown-index.js';
export { createMarker } from './marker.js';
export type { Marker } from './marker.js';
// The read API of the funnel step logs.
export { EMPTY_VIEW, userCounts, viewOf, viewStep } from './step-view.js';
export { createMergeScratch, mergeViews } from './step-merge.js';
export { createStepReader, sharedStepReader } from './step-reader.js';
export type { StepReader, StepRequest } from './step-reader.js';
export type { StepView } from './step-view.js';
export { createStepLog, segmentOf } from './steps.js';
export type { StepLog } from './steps.js';

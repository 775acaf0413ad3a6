export { addDays, dayFromNumber, dayInZone, dayMapper, dayNumber, dayRange, isoWeek, weekStart } from './calendar.js';
export { isDay, utcDay, utcDayOfIso } from './utc-day.js';
export { isoString, parseIso } from './iso-time.js';
export { createSerial } from './serial.js';
export type { Serial } from './serial.js';
export { readTextIfExists } from './read-if-exists.js';
export { createOptionalWorker } from './optional-worker.js';
export type { OptionalWorker, WorkerReply } from './optional-worker.js';
export { putVarint, varintSize } from './varint.js';

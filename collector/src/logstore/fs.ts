import * as fs from 'node:fs';
import { promisify } from 'node:util';

/**
 * The handful of file operations the log store performs, behind a seam so tests can inject disk
 * failures (ENOSPC, EIO) exactly where they hurt: mid-write, at fsync, at truncate.
 * Plain numeric fds with the callback API: measurably cheaper per call than FileHandle on the hot path.
 */
export interface LogFs {
  open(path: string, flags: string, mode?: number): Promise<number>;
  /** Writes `length` bytes of `buf` from `offset`; may write fewer (the caller loops). */
  write(fd: number, buf: Buffer, offset: number, length: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  fstatSize(fd: number): Promise<number>;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  /** `dev:ino` of an open fd. */
  fdIdentity(fd: number): Promise<string>;
  /** `dev:ino` of the file at `path`, or undefined when there is none (ENOENT). */
  pathIdentity(path: string): Promise<string | undefined>;
}

const pOpen = promisify(fs.open);
const pWrite = (fd: number, b: Buffer, o: number, l: number) =>
  new Promise<number>((res, rej) => fs.write(fd, b, o, l, null, (err, n) => (err ? rej(err) : res(n))));
const pRead = (fd: number, b: Buffer, o: number, l: number, p: number) =>
  new Promise<number>((res, rej) => fs.read(fd, b, o, l, p, (err, n) => (err ? rej(err) : res(n))));
const pFdatasync = promisify(fs.fdatasync);
const pFsync = promisify(fs.fsync);
const pFtruncate = promisify(fs.ftruncate);
const pFstat = promisify(fs.fstat);
const pClose = promisify(fs.close);

export const nodeLogFs: LogFs = {
  open: (path, flags, mode) => pOpen(path, flags, mode),
  write: (fd, buf, offset, length) => pWrite(fd, buf, offset, length),
  fdatasync: (fd) => pFdatasync(fd),
  fsync: (fd) => pFsync(fd),
  ftruncate: (fd, length) => pFtruncate(fd, length),
  fstatSize: async (fd) => (await pFstat(fd)).size,
  read: (fd, buf, offset, length, position) => pRead(fd, buf, offset, length, position),
  close: (fd) => pClose(fd),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (path) => fs.promises.unlink(path),
  readdir: (path) => fs.promises.readdir(path),
  mkdir: async (path) => {
    await fs.promises.mkdir(path, { recursive: true });
  },
  fdIdentity: async (fd) => {
    const st = await pFstat(fd);
    return `${st.dev}:${st.ino}`;
  },
  pathIdentity: async (path) => {
    try {
      const st = await fs.promises.stat(path);
      return `${st.dev}:${st.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
};

/**
 * The same operations made synchronously on the calling thread (answered as settled promises), for
 * a worker thread whose own priority should govern its I/O: the forwarders' thread, which runs at a
 * lowered priority (TALLY_FORWARD_PRIORITY). Through `nodeLogFs` every call is handed to libuv's thread
 * pool — shared with ingestion's fsyncs and running at the main thread's priority — and wakes two
 * threads; at the benchmark load the forwarders made ≈ 1,000 such calls a second.
 */
export const syncLogFs: LogFs = {
  open: async (path, flags, mode) => fs.openSync(path, flags, mode),
  write: async (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length),
  fdatasync: async (fd) => fs.fdatasyncSync(fd),
  fsync: async (fd) => fs.fsyncSync(fd),
  ftruncate: async (fd, length) => fs.ftruncateSync(fd, length),
  fstatSize: async (fd) => fs.fstatSync(fd).size,
  read: async (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  close: async (fd) => fs.closeSync(fd),
  rename: async (from, to) => fs.renameSync(from, to),
  unlink: async (path) => fs.unlinkSync(path),
  readdir: async (path) => fs.readdirSync(path),
  mkdir: async (path) => {
    fs.mkdirSync(path, { recursive: true });
  },
  fdIdentity: async (fd) => {
    const st = fs.fstatSync(fd);
    return `${st.dev}:${st.ino}`;
  },
  pathIdentity: async (path) => {
    const st = fs.statSync(path, { throwIfNoEntry: false });
    return st === undefined ? undefined : `${st.dev}:${st.ino}`;
  },
};

/**
 * Writes `buf[from, to)` at the file's position, however many calls that takes (a write may be
 * partial). A write that makes no progress is an I/O fault, not a reason to loop forever.
 */
export async function writeAll(lfs: LogFs, fd: number, buf: Buffer, from = 0, to = buf.length): Promise<void> {
  for (let off = from; off < to; ) {
    const n = await lfs.write(fd, buf, off, to - off);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    off += n;
  }
}

/** Makes a rename or unlink in `dir` durable: the directory entry itself must reach the disk. */
export async function fsyncDir(lfs: LogFs, dir: string): Promise<void> {
  const fd = await lfs.open(dir, 'r');
  try {
    await lfs.fsync(fd);
  } finally {
    await lfs.close(fd);
  }
}

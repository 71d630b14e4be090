// The file-system port storage is written against: positional reads and writes on open handles,
// plus the few directory operations segments and metadata files need. Two implementations:
// node-file-system.ts (fs/promises FileHandle) and memory-file-system.ts (dataDir: null).
// Paths are plain strings joined with '/'.

export interface FileHandle {
  /**
   * Reads up to `length` bytes at `position`; the result is shorter only at end of file.
   * alloc: where the bytes go (a pooled buffer of exactly `length` bytes); default a fresh one.
   */
  read(position: number, length: number, alloc?: (length: number) => Buffer): Promise<Buffer>
  /** Writes all of `buffers` contiguously starting at `position`. */
  writev(buffers: readonly Buffer[], position: number): Promise<void>
  /**
   * The same write done on the calling thread, for small appends where a thread-pool round trip
   * costs more than the write itself (optional: callers fall back to writev).
   */
  writevSync?(buffers: readonly Buffer[], position: number): void
  /** fdatasync: the data (and the size needed to read it back) reached stable storage. */
  datasync(): Promise<void>
  truncate(size: number): Promise<void>
  size(): Promise<number>
  close(): Promise<void>
}

export interface FileStat {
  size: number
  isDirectory: boolean
  mtimeMs: number
}

export interface FileSystem {
  /** 'create' creates or truncates; 'readwrite' opens an existing file (or creates an empty one); 'read' must exist. */
  open(path: string, mode: 'read' | 'readwrite' | 'create'): Promise<FileHandle>
  readFile(path: string): Promise<Buffer>
  /** Plain write (no fsync): callers that need atomicity use writeFileAtomic. */
  writeFile(path: string, data: Buffer | string, opts?: { sync?: boolean }): Promise<void>
  /** null when the path does not exist. */
  stat(path: string): Promise<FileStat | null>
  readdir(path: string): Promise<string[]>
  mkdir(path: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  /** No error when the file does not exist. */
  unlink(path: string): Promise<void>
  /** Recursive, no error when absent. */
  rmdir(path: string): Promise<void>
  /** fsync of a directory, so that renames/creations in it are durable. */
  syncDir(path: string): Promise<void>
}

export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/')
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i)
}

/** Replace a file atomically: write a temp file, fsync it, rename over, fsync the directory. */
export async function writeFileAtomic(fs: FileSystem, path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.tmp`
  await fs.writeFile(tmp, data, { sync: true })
  await fs.rename(tmp, path)
  await fs.syncDir(dirName(path))
}

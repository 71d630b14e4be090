// In-memory FileSystem for the memory-only mode (dataDir: null) and tests. Files are lists of
// pages; reads return copies so that later truncation cannot change bytes a reader holds.
import type { FileHandle, FileStat, FileSystem } from './file-system.js'

const PAGE_SIZE = 1 << 20

/** Fixed-size pages: growing a file never copies what is already there. */
class MemoryFile {
  private pages: Buffer[] = []
  length = 0
  mtimeMs = Date.now()

  setLength(n: number): void {
    const needed = Math.ceil(n / PAGE_SIZE)
    if (n < this.length) {
      this.pages.length = needed
      // zero the tail of the last kept page so a later extension reads zeros
      if (needed > 0) this.pages[needed - 1].fill(0, n - (needed - 1) * PAGE_SIZE)
    }
    while (this.pages.length < needed) this.pages.push(Buffer.alloc(PAGE_SIZE))
    this.length = n
    this.mtimeMs = Date.now()
  }

  write(src: Buffer, position: number): void {
    let done = 0
    while (done < src.length) {
      const pos = position + done
      const page = this.pages[Math.floor(pos / PAGE_SIZE)]
      const at = pos % PAGE_SIZE
      done += src.copy(page, at, done, Math.min(src.length, done + PAGE_SIZE - at))
    }
  }

  read(position: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - position)
    let done = 0
    while (position + done < end) {
      const pos = position + done
      const page = this.pages[Math.floor(pos / PAGE_SIZE)]
      const at = pos % PAGE_SIZE
      done += page.copy(out, done, at, Math.min(PAGE_SIZE, at + end - pos))
    }
    return out
  }
}

function enoent(path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, '${path}'`)
  err.code = 'ENOENT'
  return err
}

function normalize(path: string): string {
  const p = path.replace(/\/+/g, '/')
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

class MemoryFileHandle implements FileHandle {
  private closed = false
  constructor(
    private readonly file: MemoryFile,
    private readonly writable: boolean,
  ) {}

  private check(): void {
    if (this.closed) throw new Error('EBADF: file handle closed')
  }

  async read(position: number, length: number): Promise<Buffer> {
    this.check()
    const end = Math.min(this.file.length, position + length)
    if (end <= position) return Buffer.alloc(0)
    return this.file.read(position, end)
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    this.check()
    if (!this.writable) throw new Error('EBADF: file not open for writing')
    let total = 0
    for (const b of buffers) total += b.length
    const end = position + total
    if (end > this.file.length) this.file.setLength(end)
    let pos = position
    for (const b of buffers) {
      this.file.write(b, pos)
      pos += b.length
    }
    this.file.mtimeMs = Date.now()
  }

  async datasync(): Promise<void> {
    this.check()
  }

  async truncate(size: number): Promise<void> {
    this.check()
    this.file.setLength(size)
  }

  async size(): Promise<number> {
    this.check()
    return this.file.length
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, MemoryFile>()
  private readonly dirs = new Set<string>(['/'])

  private requireParent(path: string): void {
    if (!this.dirs.has(parentOf(path))) throw enoent(parentOf(path))
  }

  async open(path: string, mode: 'read' | 'readwrite' | 'create'): Promise<FileHandle> {
    path = normalize(path)
    let file = this.files.get(path)
    if (!file) {
      if (mode === 'read') throw enoent(path)
      this.requireParent(path)
      file = new MemoryFile()
      this.files.set(path, file)
    } else if (mode === 'create') {
      file.setLength(0)
    }
    return new MemoryFileHandle(file, mode !== 'read')
  }

  async readFile(path: string): Promise<Buffer> {
    const file = this.files.get(normalize(path))
    if (!file) throw enoent(path)
    return file.read(0, file.length)
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    path = normalize(path)
    this.requireParent(path)
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    const file = new MemoryFile()
    file.setLength(buf.length)
    file.write(buf, 0)
    this.files.set(path, file)
  }

  async stat(path: string): Promise<FileStat | null> {
    path = normalize(path)
    if (this.dirs.has(path)) return { size: 0, isDirectory: true, mtimeMs: 0 }
    const file = this.files.get(path)
    return file ? { size: file.length, isDirectory: false, mtimeMs: file.mtimeMs } : null
  }

  async readdir(path: string): Promise<string[]> {
    path = normalize(path)
    if (!this.dirs.has(path)) throw enoent(path)
    const prefix = path === '/' ? '/' : `${path}/`
    const out = new Set<string>()
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.add(p.slice(prefix.length))
    }
    return [...out]
  }

  async mkdir(path: string): Promise<void> {
    path = normalize(path)
    while (path !== '/' && !this.dirs.has(path)) {
      this.dirs.add(path)
      path = parentOf(path)
    }
  }

  async rename(from: string, to: string): Promise<void> {
    from = normalize(from)
    to = normalize(to)
    const file = this.files.get(from)
    if (file) {
      this.requireParent(to)
      this.files.delete(from)
      this.files.set(to, file)
      return
    }
    if (!this.dirs.has(from)) throw enoent(from)
    this.requireParent(to)
    const moves: [Map<string, MemoryFile> | Set<string>, string][] = []
    for (const p of this.files.keys()) if (p === from || p.startsWith(`${from}/`)) moves.push([this.files, p])
    for (const p of this.dirs) if (p === from || p.startsWith(`${from}/`)) moves.push([this.dirs, p])
    for (const [coll, p] of moves) {
      const target = to + p.slice(from.length)
      if (coll instanceof Map) {
        const f = coll.get(p)!
        coll.delete(p)
        coll.set(target, f)
      } else {
        coll.delete(p)
        coll.add(target)
      }
    }
  }

  async unlink(path: string): Promise<void> {
    this.files.delete(normalize(path))
  }

  async rmdir(path: string): Promise<void> {
    path = normalize(path)
    for (const p of [...this.files.keys()]) if (p === path || p.startsWith(`${path}/`)) this.files.delete(p)
    for (const p of [...this.dirs]) if (p === path || p.startsWith(`${path}/`)) this.dirs.delete(p)
  }

  async syncDir(): Promise<void> {}
}

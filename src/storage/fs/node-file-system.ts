// FileSystem on node:fs/promises. Positional I/O through FileHandle (libuv thread pool).
import { constants as fsConstants, promises as fsp, writevSync } from 'node:fs'
import type { FileHandle, FileStat, FileSystem } from './file-system.js'

class NodeFileHandle implements FileHandle {
  constructor(private readonly fh: fsp.FileHandle) {}

  async read(position: number, length: number, alloc?: (length: number) => Buffer): Promise<Buffer> {
    const buf = alloc ? alloc(length) : Buffer.allocUnsafe(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await this.fh.read(buf, filled, length - filled, position + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled === length ? buf : buf.subarray(0, filled)
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    let total = 0
    for (const b of buffers) total += b.length
    let { bytesWritten } = await this.fh.writev(buffers as Buffer[], position)
    if (bytesWritten === total) return
    // Short write (rare: signals, huge vectors): continue with what is left.
    let written = bytesWritten
    let rest = skipBytes(buffers, bytesWritten)
    while (written < total) {
      ;({ bytesWritten } = await this.fh.writev(rest, position + written))
      if (bytesWritten === 0) throw new Error('short write: no progress')
      written += bytesWritten
      rest = skipBytes(rest, bytesWritten)
    }
  }

  writevSync(buffers: readonly Buffer[], position: number): void {
    let total = 0
    for (const b of buffers) total += b.length
    let done = writevSync(this.fh.fd, buffers as Buffer[], position)
    while (done < total) {
      const n = writevSync(this.fh.fd, skipBytes(buffers, done), position + done)
      if (n === 0) throw new Error('short write: no progress')
      done += n
    }
  }

  datasync(): Promise<void> {
    return this.fh.datasync()
  }

  truncate(size: number): Promise<void> {
    return this.fh.truncate(size)
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size
  }

  close(): Promise<void> {
    return this.fh.close()
  }
}

function skipBytes(buffers: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = []
  for (const b of buffers) {
    if (n >= b.length) {
      n -= b.length
      continue
    }
    out.push(n > 0 ? b.subarray(n) : b)
    n = 0
  }
  return out
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT'
}

export class NodeFileSystem implements FileSystem {
  async open(path: string, mode: 'read' | 'readwrite' | 'create'): Promise<FileHandle> {
    let flags: number
    if (mode === 'read') flags = fsConstants.O_RDONLY
    else if (mode === 'create') flags = fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_TRUNC
    else flags = fsConstants.O_RDWR | fsConstants.O_CREAT
    return new NodeFileHandle(await fsp.open(path, flags, 0o644))
  }

  readFile(path: string): Promise<Buffer> {
    return fsp.readFile(path)
  }

  async writeFile(path: string, data: Buffer | string, opts: { sync?: boolean } = {}): Promise<void> {
    const fh = await fsp.open(path, 'w', 0o644)
    try {
      await fh.writeFile(data)
      if (opts.sync) await fh.sync()
    } finally {
      await fh.close()
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      const s = await fsp.stat(path)
      return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs }
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  readdir(path: string): Promise<string[]> {
    return fsp.readdir(path)
  }

  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true })
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to)
  }

  async unlink(path: string): Promise<void> {
    try {
      await fsp.unlink(path)
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  rmdir(path: string): Promise<void> {
    return fsp.rm(path, { recursive: true, force: true })
  }

  async syncDir(path: string): Promise<void> {
    const fh = await fsp.open(path, fsConstants.O_RDONLY)
    try {
      await fh.sync()
    } catch (err) {
      // Some platforms/filesystems refuse fsync on directories; the rename is still atomic.
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err
    } finally {
      await fh.close()
    }
  }
}

// Deleting segment files the way Kafka does (LocalLog.deleteSegmentFiles): the files are renamed to
// `*.deleted` at once and unlinked after file.delete.delay.ms. Leftover `*.deleted` files (a
// shutdown or crash before the delay ran out) are removed when the partition is opened.
//
// The segment's handle is pinned across the rename so that a read that still holds the segment
// keeps using the open file descriptor (the old inode) and never re-opens the path.
import type { FileSystem } from './fs/file-system.js'
import type { LogSegment } from './log-segment.js'
import type { Logger } from '../logger.js'

export const DELETED_SUFFIX = '.deleted'

/** The files of a segment that exist on disk (`.log`, `.index`, `.timeindex`). */
export function segmentPaths(seg: LogSegment): string[] {
  return [seg.logPath, seg.indexPath, seg.timeIndexPath]
}

/** Unlinks `paths` after `delayMs` (now when 0). Errors are logged, never thrown. */
export async function unlinkLater(fs: FileSystem, paths: readonly string[], delayMs: number, logger: Logger): Promise<void> {
  const unlinkAll = async (): Promise<void> => {
    try {
      await Promise.all(paths.map((p) => fs.unlink(p)))
    } catch (err) {
      logger.warn({ err, paths }, 'deleting segment files failed')
    }
  }
  if (delayMs <= 0) return unlinkAll()
  // Unref'd: a broker that stops first leaves the files to the next start's clean-up.
  setTimeout(() => void unlinkAll(), Math.min(delayMs, 2 ** 31 - 1)).unref()
}

/** Renames each existing path to `<path>.deleted`; returns the new names. */
export async function renameToDeleted(fs: FileSystem, paths: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const p of paths) {
    if (!(await fs.stat(p))) continue
    await fs.rename(p, p + DELETED_SUFFIX)
    out.push(p + DELETED_SUFFIX)
  }
  return out
}

/**
 * Deletes segments already removed from the partition's segment list: pin, rename to `.deleted`,
 * mark deleted (a late reader then fails instead of re-creating the file), unpin, and unlink the
 * renamed files after `delayMs`.
 */
export async function deleteSegmentsLater(
  segments: readonly LogSegment[],
  opts: { fs: FileSystem; dir: string; delayMs: number; logger: Logger },
): Promise<void> {
  const renamed: string[] = []
  for (const seg of segments) {
    let pinned = false
    try {
      await seg.acquire()
      pinned = true
    } catch {
      // The file is gone already (or cannot be opened): nothing to keep readable.
    }
    try {
      renamed.push(...(await renameToDeleted(opts.fs, segmentPaths(seg))))
    } finally {
      // Deleting with the pin held defers the handle's close (and the unlink of the old paths,
      // which no longer exist) to the last reader's release.
      const deleting = seg.delete()
      if (pinned) seg.release()
      await deleting
    }
  }
  if (renamed.length > 0) await opts.fs.syncDir(opts.dir)
  await unlinkLater(opts.fs, renamed, opts.delayMs, opts.logger)
}

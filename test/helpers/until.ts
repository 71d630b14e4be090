// Polling for a condition that becomes true asynchronously (a consumer caught up, a cleaner
// pass ran): tests wait on the condition itself instead of a fixed sleep.

export interface UntilOptions {
  /** give up (throw) after this long */
  timeoutMs?: number
  /** pause between two checks */
  intervalMs?: number
}

export type UntilCheck = () => boolean | Promise<boolean>

const DEFAULTS = { timeoutMs: 20_000, intervalMs: 20 } as const

/** Resolves once `check` is true; throws `timed out waiting for ${what}` after timeoutMs. */
export async function until(what: string, check: UntilCheck, opts: UntilOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs
  const intervalMs = opts.intervalMs ?? DEFAULTS.intervalMs
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = check()
    // a synchronous check stays synchronous: no extra turn of the event loop between checks
    if (typeof result === 'boolean' ? result : await result) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** An `until` with this file's own timeout and poll interval (its call sites stay short). */
export function untilWithin(defaults: UntilOptions): (what: string, check: UntilCheck, opts?: UntilOptions) => Promise<void> {
  return (what, check, opts = {}) => until(what, check, { ...defaults, ...opts })
}

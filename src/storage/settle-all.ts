// Concurrent startup file operations.

/** Promise.all that lets every operation finish before rethrowing the first failure (no file
 * operation is left running behind a failed open). */
export async function settleAll<T extends readonly unknown[]>(ops: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(ops)
  for (const r of results) if (r.status === 'rejected') throw r.reason
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}

// A response can ask to be told when its bytes have left for the kernel: Fetch answers with
// views of pooled read buffers that may be reused only then. The hook rides on the response
// object (set by the handler) and on its encoded chunk list (set by the dispatcher).

export const ON_RESPONSE_WRITTEN: unique symbol = Symbol('brook.onResponseWritten')

export interface ResponseWrittenHook {
  /** Called once when the socket write of the response completes or fails (never when the
   * connection drops the response unwritten: its buffers are then left to the GC). */
  [ON_RESPONSE_WRITTEN]?: () => void
}

/** Moves the hook of `from` (if any) to `to`. */
export function carryWrittenHook<T extends object>(from: unknown, to: T): T & ResponseWrittenHook {
  const hook = (from as ResponseWrittenHook | null)?.[ON_RESPONSE_WRITTEN]
  if (hook !== undefined) (to as ResponseWrittenHook)[ON_RESPONSE_WRITTEN] = hook
  return to
}

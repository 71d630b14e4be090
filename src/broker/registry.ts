// apiKey -> handler. ApiVersions is built from this table; nothing switches on apiKey.
import type { ApiHandler } from './handler.js'

export interface ApiVersionRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export class HandlerRegistry {
  private readonly byKey: (ApiHandler | undefined)[] = []
  private readonly ranges: readonly ApiVersionRange[]

  constructor(handlers: readonly ApiHandler[]) {
    for (const h of handlers) {
      checkHandler(h)
      if (this.byKey[h.apiKey]) throw new Error(`two handlers registered for api key ${h.apiKey}`)
      this.byKey[h.apiKey] = h
    }
    this.ranges = handlers
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey)
  }

  get(apiKey: number): ApiHandler | undefined {
    return apiKey >= 0 ? this.byKey[apiKey] : undefined
  }

  /** Advertised version ranges, by api key. */
  apiVersions(): readonly ApiVersionRange[] {
    return this.ranges
  }

  handlers(): ApiHandler[] {
    return this.byKey.filter((h): h is ApiHandler => h !== undefined)
  }
}

function checkHandler(h: ApiHandler): void {
  const name = h.request?.name ?? `api key ${h.apiKey}`
  if (!Number.isInteger(h.apiKey) || h.apiKey < 0) throw new Error(`${name}: invalid api key ${h.apiKey}`)
  if (h.request.apiKey !== h.apiKey || h.response.apiKey !== h.apiKey) {
    throw new Error(`${name}: handler api key ${h.apiKey} does not match its codecs (${h.request.apiKey}/${h.response.apiKey})`)
  }
  if (h.minVersion > h.maxVersion) throw new Error(`${name}: minVersion ${h.minVersion} > maxVersion ${h.maxVersion}`)
  for (const codec of [h.request, h.response]) {
    if (h.minVersion < codec.minVersion || h.maxVersion > codec.maxVersion) {
      throw new Error(`${name}: versions ${h.minVersion}-${h.maxVersion} exceed ${codec.name}'s ${codec.minVersion}-${codec.maxVersion}`)
    }
  }
  if (h.advertisedMinVersion !== undefined && h.advertisedMinVersion > h.minVersion) {
    throw new Error(`${name}: advertisedMinVersion ${h.advertisedMinVersion} > minVersion ${h.minVersion}`)
  }
}

// The address clients are told to use for this broker (Metadata, DescribeCluster, FindCoordinator).
import type { BrokerConfig } from '../config/broker-config.js'
import type { RequestConnection } from './handler.js'

/**
 * advertised.listeners when configured; otherwise the local address and port the client connected
 * to, so that whatever address reached the broker (127.0.0.1, a container IP, a port-forward
 * target) keeps working for the client's next connections.
 */
export function advertisedAddress(config: BrokerConfig, conn: RequestConnection): { host: string; port: number } {
  const listeners = config.advertisedListeners
  if (listeners.length > 0) {
    const chosen = listeners.find((l) => l.name === 'PLAINTEXT') ?? listeners[0]
    return { host: chosen.host, port: chosen.port }
  }
  return { host: normalizeHost(conn.localAddress) || config.host, port: conn.localPort || config.port }
}

/** IPv4 addresses seen through a dual-stack socket look like ::ffff:1.2.3.4. */
export function normalizeHost(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}

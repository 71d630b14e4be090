// Reading topics with the real clients until the test's condition holds; the consumer is closed
// in every case, so a timed-out wait does not leave a client running into the next test.
import type { Consumer as PlatformaticConsumer, Message } from '@platformatic/kafka'
import type { EachMessageHandler, Consumer as KafkajsConsumer } from 'kafkajs'

/** kafkajs: subscribes to `topics` from the beginning, runs eachMessage, awaits waitUntilDone, disconnects. */
export async function consumeWithKafkajs(
  consumer: KafkajsConsumer,
  opts: { topics: string[]; eachMessage: EachMessageHandler },
  waitUntilDone: () => Promise<void>,
): Promise<void> {
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: opts.topics, fromBeginning: true })
    await consumer.run({ eachMessage: opts.eachMessage })
    await waitUntilDone()
  } finally {
    await consumer.disconnect()
  }
}

/** @platformatic/kafka: streams `topics` from the earliest offset without committing, awaits waitUntilDone, closes. */
export async function consumeWithPlatformatic<Key, Value, HeaderKey, HeaderValue>(
  consumer: PlatformaticConsumer<Key, Value, HeaderKey, HeaderValue>,
  opts: { topics: string[]; onMessage: (message: Message<Key, Value, HeaderKey, HeaderValue>) => void },
  waitUntilDone: () => Promise<void>,
): Promise<void> {
  try {
    const stream = await consumer.consume({ topics: opts.topics, mode: 'earliest', autocommit: false, maxWaitTime: 100 })
    stream.on('data', opts.onMessage)
    await waitUntilDone()
    await stream.close()
  } finally {
    await consumer.close(true)
  }
}

// Produces messages.py's records with kafkajs (gzip built in; snappy and lz4 via kafkajs-snappy /
// kafkajs-lz4). usage: node produce-kafkajs.cjs BOOTSTRAP TOPIC CODEC
const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const LZ4Codec = require('kafkajs-lz4')
const { execFileSync } = require('node:child_process')

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec

const [bootstrap, topic, codec] = process.argv.slice(2)
const types = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4 }
// the same records as the Python producers, read from messages.py
const json = execFileSync('/usr/bin/python3', ['-c', 'import json,messages;print(json.dumps([(k,v.decode()) for k,v in messages.messages()]))'], { cwd: __dirname })
const msgs = JSON.parse(json)

async function main() {
  const kafka = new Kafka({ clientId: 'kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic,
    compression: types[codec],
    messages: msgs.map(([k, v], i) => ({ key: k, value: v, headers: { h: String(i) }, timestamp: String(1700000000000 + i) })),
  })
  await producer.disconnect()
}
main().catch((e) => { console.error(e); process.exit(1) })

"""confluent-kafka-python checks for issue 4: configs, partitions, topic description, and
librdkafka-compressed records read back through compacted topics."""
import time

from confluent_kafka import KafkaError, TopicPartition
from confluent_kafka.admin import ConfigResource, NewPartitions

from compat_lib import CODECS, Skip, assert_stored_codec, check, compressible_value
from ck_common import admin, consumer, create_topic, expect_kafka_error, poll_messages, produce_all, producer, read_partitions, topic_partitions
import compaction_model

SOURCE_DYNAMIC_TOPIC, SOURCE_STATIC_BROKER, SOURCE_DEFAULT = 1, 4, 5


def source_of(entry):
    return int(getattr(entry.source, 'value', entry.source))


def describe(ctx, resource):
    return admin(ctx).describe_configs([resource], request_timeout=15)[resource].result(timeout=20)


@check('describe-configs', 'configs: describe', 4, timeout_s=60)
def describe_configs(ctx):
    topic = ctx.topic('cfg-describe')
    create_topic(ctx, topic, 1, {'retention.ms': '86400000', 'cleanup.policy': 'delete'})
    entries = describe(ctx, ConfigResource('topic', topic))
    for key in ('retention.ms', 'cleanup.policy', 'segment.bytes', 'max.message.bytes', 'compression.type'):
        assert key in entries, 'topic config %s not described (%d entries)' % (key, len(entries))
    r = entries['retention.ms']
    assert r.value == '86400000' and source_of(r) == SOURCE_DYNAMIC_TOPIC, \
        'retention.ms = %r source %s' % (r.value, source_of(r))
    seg = entries['segment.bytes']
    assert source_of(seg) in (SOURCE_DEFAULT, SOURCE_STATIC_BROKER), \
        'segment.bytes (not set on the topic) has source %s' % source_of(seg)
    md = admin(ctx).list_topics(timeout=10)
    broker = describe(ctx, ConfigResource('broker', str(md.controller_id)))
    known = [k for k in ('num.partitions', 'log.segment.bytes', 'message.max.bytes', 'log.retention.ms') if k in broker]
    assert known, 'broker configs lack num.partitions/log.segment.bytes/...: %d entries' % len(broker)
    return '%d topic configs, %d broker configs' % (len(entries), len(broker))


@check('alter-configs', 'configs: alter', 4, timeout_s=60)
def alter_configs(ctx):
    topic = ctx.topic('cfg-alter')
    create_topic(ctx, topic, 1)
    res = ConfigResource('topic', topic, set_config={'retention.ms': '123456', 'max.message.bytes': '2000000'})
    admin(ctx).alter_configs([res], request_timeout=15)[res].result(timeout=20)
    entries = describe(ctx, ConfigResource('topic', topic))
    got = (entries['retention.ms'].value, entries['max.message.bytes'].value)
    assert got == ('123456', '2000000'), 'after alter: %r' % (got,)
    bad = ConfigResource('topic', topic, set_config={'retention.ms': 'not-a-number'})
    expect_kafka_error(lambda: admin(ctx).alter_configs([bad], request_timeout=15)[bad].result(timeout=20),
                       'INVALID_CONFIG', 'an invalid retention.ms was accepted', 'invalid value')
    return 'set 2 configs, invalid value -> INVALID_CONFIG'


@check('incremental-alter-configs', 'configs: incremental alter', 4, timeout_s=10)
def incremental_alter(ctx):
    raise Skip('confluent-kafka-python 1.7.0 has no incremental_alter_configs (kafka-python check covers the API)')


@check('create-partitions', 'create partitions', 4, timeout_s=60)
def create_partitions(ctx):
    topic = ctx.topic('parts')
    create_topic(ctx, topic, 2)
    admin(ctx).create_partitions([NewPartitions(topic, 5)], operation_timeout=10)[topic].result(timeout=20)
    parts = topic_partitions(ctx, topic)
    assert parts is not None and len(parts) == 5, 'partitions after create_partitions: %r' % (parts and len(parts))
    items = [dict(key=None, value=b'p%d' % p, partition=p) for p in range(5)]
    delivered = produce_all(producer(ctx), topic, items)
    assert sorted(p for p, _ in delivered) == list(range(5))
    msgs = read_partitions(ctx, topic, list(range(5)), 5)
    assert sorted(m.value() for m in msgs) == sorted(it['value'] for it in items), 'new partitions not readable'
    expect_kafka_error(lambda: admin(ctx).create_partitions([NewPartitions(topic, 3)])[topic].result(timeout=20),
                       'INVALID_PARTITIONS', 'shrinking to 3 partitions was accepted', 'shrink')
    return '2 -> 5 partitions, produce/consume on new ones, shrink -> INVALID_PARTITIONS'


@check('delete-records', 'delete records', 4, timeout_s=10)
def delete_records(ctx):
    raise Skip('confluent-kafka-python 1.7.0 has no delete_records (kafka-python check covers the API)')


@check('describe-topics', 'list/describe topics', 4, timeout_s=30)
def describe_topics(ctx):
    # 1.7.0 has no describe_topics(); a Metadata request for one topic is its equivalent
    topic = ctx.topic('describe')
    create_topic(ctx, topic, 4, {'cleanup.policy': 'compact'})
    md = admin(ctx).list_topics(topic=topic, timeout=10)
    t = md.topics[topic]
    assert t.error is None, 'topic error %s' % t.error
    assert sorted(t.partitions) == [0, 1, 2, 3], 'partitions %s' % sorted(t.partitions)
    entries = describe(ctx, ConfigResource('topic', topic))
    assert entries['cleanup.policy'].value == 'compact', 'cleanup.policy %r' % entries['cleanup.policy'].value
    return '4 partitions with leaders; cleanup.policy=compact described'


@check('compacted-null-key', 'compacted topic: null key rejected', 4, timeout_s=45)
def compacted_null_key(ctx):
    topic = ctx.topic('cmp-nokey')
    create_topic(ctx, topic, 1, {'cleanup.policy': 'compact'})
    p = producer(ctx, **{'linger.ms': 0, 'message.timeout.ms': 15000, 'retries': 0})
    errors = []
    p.produce(topic, value=b'no key', on_delivery=lambda err, msg: errors.append(err))
    p.flush(20)
    assert errors and errors[0] is not None, 'a record without a key was accepted by a compacted topic'
    assert errors[0].code() == KafkaError.INVALID_RECORD, 'error %s, expected INVALID_RECORD (87)' % errors[0]
    delivered = produce_all(p, topic, [dict(key=b'k', value=b'keyed')])
    return 'keyless record -> INVALID_RECORD; keyed record accepted at %s' % (delivered[0],)


@check('topic-compression-type', 'configs: compression.type recompresses', 4, timeout_s=45)
def topic_compression_type(ctx):
    topic = ctx.topic('recompress')
    create_topic(ctx, topic, 1, {'compression.type': 'gzip'})
    items = [dict(key=b'k%d' % i, value=compressible_value(i, 200)) for i in range(300)]
    delivered = produce_all(producer(ctx, **{'compression.codec': 'lz4', 'linger.ms': 20}), topic, items)
    msgs = read_partitions(ctx, topic, [0], len(items), **{'check.crcs': True})
    got = [(m.offset(), m.key(), m.value()) for m in msgs]
    assert got == [(o, it['key'], it['value']) for (_p, o), it in zip(delivered, items)], 'records differ after recompression'
    return 'lz4 batches from the producer; %s; CRCs checked by the consumer' % assert_stored_codec(ctx, topic, 0, 'gzip')


# ---- every codec through a compacted topic (the cleaner must read compressed batches) ----

_compaction = {}


def compaction_setup(ctx):
    return compaction_model.compaction_setup(
        ctx, _compaction, CODECS, create_topic,
        lambda ctx, codec: producer(ctx, **{'compression.codec': codec, 'linger.ms': 20}), produce_all)


def read_topic(ctx, topic):
    c = consumer(ctx, ctx.group('cmp-reader'))
    try:
        _low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
        c.assign([TopicPartition(topic, 0, 0)])
        msgs = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (not msgs or msgs[-1].offset() < high - 1):
            msgs.extend(poll_messages(c, 1, 0.5, settle_s=0))
        return [(m.offset(), m.key(), m.value()) for m in msgs], high
    finally:
        c.close()


compaction_model.register_compacted_checks(CODECS, compaction_setup, read_topic)

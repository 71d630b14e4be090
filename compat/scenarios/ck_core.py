"""confluent-kafka-python checks for issue 2: metadata, topics, produce/consume, codecs,
idempotence, list offsets, and data surviving a broker restart."""
import time

from confluent_kafka import KafkaError, TopicPartition
from confluent_kafka.admin import NewTopic

from compat_lib import (CODECS, check, codec_roundtrip, compressible_value,
                        restart_broker, stored_batches, wait_until)
import ck_common
from ck_common import (admin, assert_same_records, consumer, create_topic, expect_kafka_error, produce_all, producer,
                       read_partitions, topic_partitions)



@check('metadata', 'metadata', 2, timeout_s=30)
def metadata(ctx):
    md = admin(ctx).list_topics(timeout=10)
    assert md.brokers, 'no brokers in metadata'
    assert md.controller_id in md.brokers, 'controller id %s is not a listed broker' % md.controller_id
    b = md.brokers[md.controller_id]
    assert b.host and b.port > 0, 'broker address %s:%s' % (b.host, b.port)
    assert getattr(md, 'cluster_id', None), 'no cluster id'
    return 'brokers=%s controller=%s cluster_id=%s' % (sorted(md.brokers), md.controller_id, md.cluster_id)


@check('create-delete-topics', 'topic create/delete', 2, timeout_s=60)
def create_delete_topics(ctx):
    a = admin(ctx)
    name = ctx.topic('create')
    fs = a.create_topics([NewTopic(name, num_partitions=3, replication_factor=1,
                                   config={'retention.ms': '3600000'})], operation_timeout=10)
    fs[name].result(timeout=20)
    parts = topic_partitions(ctx, name)
    assert parts is not None and len(parts) == 3, 'topic not usable right after CreateTopics: %r' % parts
    expect_kafka_error(lambda: a.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])[name].result(timeout=20),
                       'TOPIC_ALREADY_EXISTS', 'creating it again succeeded', 'second create')
    ghost = ctx.topic('validate-only')
    a.create_topics([NewTopic(ghost, num_partitions=2, replication_factor=1)],
                    validate_only=True)[ghost].result(timeout=20)
    assert ghost not in a.list_topics(timeout=10).topics, 'validate_only created the topic'
    a.delete_topics([name], operation_timeout=10)[name].result(timeout=20)
    wait_until(lambda: name not in a.list_topics(timeout=10).topics, 10, what='topic gone from metadata')
    expect_kafka_error(lambda: a.delete_topics([name])[name].result(timeout=20),
                       'UNKNOWN_TOPIC_OR_PART', 'deleting it again succeeded', 'second delete')
    return 'create, duplicate, validate_only, delete, delete again'


@check('list-topics', 'list/describe topics', 2, timeout_s=45)
def list_topics(ctx):
    names = [ctx.topic('list-a'), ctx.topic('list-b')]
    for i, n in enumerate(names):
        create_topic(ctx, n, i + 1)
    md = admin(ctx).list_topics(timeout=10)
    for i, n in enumerate(names):
        assert n in md.topics, '%s missing from list_topics()' % n
        t = md.topics[n]
        assert len(t.partitions) == i + 1, '%s has %d partitions' % (n, len(t.partitions))
        for p in t.partitions.values():
            assert p.leader in md.brokers, 'partition %d leader %s' % (p.id, p.leader)
            assert p.replicas == [p.leader] and p.isrs == [p.leader], 'replicas/isr %r %r' % (p.replicas, p.isrs)
    return '%d topics listed' % len(md.topics)


def keyed_items(n):
    items = []
    for i in range(n):
        headers = [('idx', str(i).encode()), ('bin', b'\x00\xff\x01'), ('dup', b'1'), ('dup', b'2')]
        items.append(dict(key=('key-%d' % (i % 17)).encode(), value=compressible_value(i, 120), headers=headers))
    items.append(dict(key=None, value=b'no key', headers=[('nul', None)]))   # null key, null header value
    items.append(dict(key=b'tombstone-key', value=None, headers=None))       # null value
    items.append(dict(key=b'', value=b'', headers=[('', b'')]))               # empty key/value/header
    return items


@check('produce-consume-keys-headers', 'produce/consume keys+headers', 2, timeout_s=90)
def produce_consume(ctx):
    topic = ctx.topic('keyed')
    create_topic(ctx, topic, 3)
    items = keyed_items(600)
    delivered = produce_all(producer(ctx), topic, items)
    # the default partitioner hashes keys: one key, one partition
    part_of_key = {}
    for it, (p, _o) in zip(items, delivered):
        if it['key']:
            assert part_of_key.setdefault(it['key'], p) == p, 'key %r in two partitions' % it['key']
    msgs = read_partitions(ctx, topic, [0, 1, 2], len(items))
    assert_same_records(items, delivered, msgs)
    used = sorted({p for p, _ in delivered})
    return '%d records over partitions %s, headers/null key/null value round-trip' % (len(items), used)


def codec_check(codec):
    @check('codec-%s' % codec, 'codec %s' % codec, 2, timeout_s=60)
    def run(ctx):
        return codec_roundtrip(ctx, codec, ck_common, lambda ctx, codec: producer(
            ctx, **{'compression.codec': codec, 'linger.ms': 50, 'batch.num.messages': 100}))
    return run


for _codec in CODECS:
    codec_check(_codec)


@check('idempotent-producer', 'idempotent producer', 2, timeout_s=60)
def idempotent(ctx):
    topic = ctx.topic('idem')
    create_topic(ctx, topic, 2)
    items = [dict(key=b'k%d' % (i % 2), value=b'%06d' % i, partition=i % 2) for i in range(3000)]
    p = producer(ctx, **{'enable.idempotence': True, 'linger.ms': 2, 'batch.num.messages': 200,
                         'max.in.flight.requests.per.connection': 5})
    delivered = produce_all(p, topic, items)
    for part in (0, 1):
        offs = [o for (pp, o) in delivered if pp == part]
        assert offs == list(range(len(offs))), 'partition %d offsets not 0..n-1 in send order' % part
    msgs = read_partitions(ctx, topic, [0, 1], len(items))
    assert_same_records(items, delivered, msgs)
    batches = stored_batches(ctx.data_dir, topic, 0)
    note = 'stored batches not inspected'
    if batches is not None:
        assert batches and all(b['producer_id'] >= 0 for b in batches), 'batches stored without producer id'
        seq = 0
        for b in batches:
            assert b['base_sequence'] == seq, 'base sequence %d, expected %d' % (b['base_sequence'], seq)
            seq += b['records']
        note = 'producer id %d, sequences contiguous over %d batches' % (batches[0]['producer_id'], len(batches))
    return '%d records, no duplicates, in order; %s' % (len(items), note)


@check('list-offsets', 'list offsets', 2, timeout_s=60)
def list_offsets(ctx):
    topic = ctx.topic('offsets')
    create_topic(ctx, topic, 1)
    base = int(time.time() * 1000) - 3_600_000
    items = [dict(key=None, value=b'v%d' % i, timestamp=base + i * 10) for i in range(100)]
    produce_all(producer(ctx, **{'linger.ms': 0}), topic, items)
    c = consumer(ctx, ctx.group('offsets'))
    try:
        low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
        assert (low, high) == (0, 100), 'watermarks (%d, %d), expected (0, 100)' % (low, high)
        cases = [(base, 0), (base + 500, 50), (base + 505, 51), (base + 990, 99), (base + 5000, -1)]
        for ts, want in cases:   # one lookup per call: librdkafka merges duplicates of a partition
            [tp] = c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=10)
            assert tp.error is None, 'offsets_for_times(%d): %s' % (ts - base, tp.error)
            assert tp.offset == want, 'offsets_for_times(base+%d) = %d, expected %d' % (ts - base, tp.offset, want)
    finally:
        c.close()
    return 'watermarks (0, 100); 5 timestamp lookups incl. past the end'


@check('message-size-limits', 'message size limits (KIP-74)', 2, timeout_s=60)
def message_size_limits(ctx):
    small = ctx.topic('size-default')
    big = ctx.topic('size-4mb')
    create_topic(ctx, small, 1)
    create_topic(ctx, big, 1, {'max.message.bytes': '4000000'})
    # the client's own limits raised, so that only the broker decides
    p = producer(ctx, **{'message.max.bytes': 10_000_000, 'linger.ms': 0, 'message.timeout.ms': 15000})
    errors = []
    p.produce(small, value=b'x' * 1_200_000, on_delivery=lambda err, msg: errors.append(err))
    p.flush(20)
    assert errors and errors[0] is not None, 'a 1.2 MB record was accepted by a topic with the 1 MiB default'
    assert errors[0].code() == KafkaError.MSG_SIZE_TOO_LARGE, 'error %s, expected MESSAGE_TOO_LARGE' % errors[0]
    value = bytes(range(256)) * 10_000   # 2.56 MB, above the consumer's 1 MiB fetch sizes
    delivered = produce_all(p, big, [dict(key=b'big', value=value)])
    msgs = read_partitions(ctx, big, [0], 1, timeout_s=20)
    assert len(msgs) == 1 and msgs[0].value() == value, \
        'the 2.56 MB record did not come back whole (KIP-74: the first batch is returned even when larger)'
    return '1.2 MB -> MESSAGE_TOO_LARGE on a default topic; 2.56 MB stored at %s and fetched whole' % (delivered[0],)


@check('idempotent-across-crash', 'survives broker restart', 2, timeout_s=120)
def idempotent_across_crash(ctx):
    # one idempotent producer on both sides of a SIGKILL: the broker must rebuild its producer
    # state from the log, so the producer's next sequence numbers are accepted as they are
    topic = ctx.topic('idem-crash')
    create_topic(ctx, topic, 1)
    p = producer(ctx, **{'enable.idempotence': True, 'linger.ms': 5, 'message.timeout.ms': 60000})
    first = [dict(key=b'k', value=b'before-%05d' % i) for i in range(1000)]
    delivered = produce_all(p, topic, first)
    took = restart_broker('kill')
    second = [dict(key=b'k', value=b'after-%05d' % i) for i in range(1000)]
    delivered += produce_all(p, topic, second, timeout_s=60)
    assert [o for _p, o in delivered] == list(range(2000)), 'offsets not 0..1999 in send order'
    msgs = read_partitions(ctx, topic, [0], 2000)
    assert_same_records(first + second, delivered, msgs)
    batches = stored_batches(ctx.data_dir, topic, 0)
    note = ''
    if batches is not None:
        ids = sorted({(b['producer_id'], b['producer_epoch']) for b in batches})
        assert len(ids) == 1, 'producer id/epoch changed across the crash: %s' % ids
        seq = 0
        for b in batches:
            assert b['base_sequence'] == seq, 'base sequence %d, expected %d' % (b['base_sequence'], seq)
            seq += b['records']
        note = '; one producer id/epoch %s, sequences contiguous' % (ids[0],)
    return '1000 records, SIGKILL + restart (%.1f s), 1000 more from the same producer%s' % (took, note)


# ---- data and committed offsets across a broker restart (the runner restarts Brook) ----

def durable_items():
    return [dict(key=b'd%d' % (i % 11), value=compressible_value(i, 150), headers=[('i', b'%d' % i)])
            for i in range(1500)]


@check('restart-produce', 'survives broker restart', 2, timeout_s=60)
def restart_produce(ctx):
    topic = ctx.topic('durable')
    create_topic(ctx, topic, 3)
    delivered = produce_all(producer(ctx, **{'compression.codec': 'lz4'}), topic, durable_items())
    return '%d acknowledged records written before the restart' % len(delivered)


@check('restart-read', 'survives broker restart', 2, timeout_s=60, phase='after-restart')
def restart_read(ctx):
    topic = ctx.topic('durable')
    items = durable_items()
    parts = topic_partitions(ctx, topic)
    if parts is None:
        raise AssertionError('topic %s unknown after restart' % topic)
    msgs = read_partitions(ctx, topic, sorted(parts), len(items))
    got = sorted((m.value() for m in msgs))
    assert len(msgs) == len(items), 'read %d of %d records after restart' % (len(msgs), len(items))
    assert got == sorted(it['value'] for it in items), 'contents differ after restart'
    return '%d records read back after restart' % len(msgs)

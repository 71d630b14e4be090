"""kafka-python checks for issue 2: metadata, topics, produce/consume, codecs, list offsets."""
import time

from kafka import TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError

from compat_lib import CODECS, Skip, check, codec_roundtrip, compressible_value, wait_until
import kp_common
from kp_common import (admin, assert_same_records, broker_version, consumer, create_topic, describe_topic,
                       produce_all, producer, read_partitions)



@check('metadata', 'metadata', 2, timeout_s=30)
def metadata(ctx):
    cluster = admin(ctx).describe_cluster()
    brokers = cluster['brokers']
    assert brokers, 'no brokers'
    ids = [b['node_id'] for b in brokers]
    assert cluster['controller_id'] in ids, 'controller %s not among brokers %s' % (cluster['controller_id'], ids)
    version = broker_version(ctx)
    # kafka-python picks its request versions from this guess; below 2.1 it cannot produce zstd
    assert tuple(int(x) for x in version.split('.')) >= (2, 1), \
        'kafka-python infers broker version %s from ApiVersions (needs >= 2.1 for Produce v7/zstd)' % version
    return 'brokers=%s controller=%s cluster_id=%s; inferred broker version %s' % (
        ids, cluster['controller_id'], cluster.get('cluster_id'), version)


@check('create-delete-topics', 'topic create/delete', 2, timeout_s=60)
def create_delete(ctx):
    a = admin(ctx)
    name = ctx.topic('create')
    a.create_topics([NewTopic(name, 3, 1, topic_configs={'retention.ms': '3600000'})], timeout_ms=10000)
    t = describe_topic(ctx, name)
    assert t is not None and len(t['partitions']) == 3, 'topic not usable right after CreateTopics: %r' % t
    try:
        a.create_topics([NewTopic(name, 1, 1)], timeout_ms=10000)
        raise AssertionError('creating it again succeeded')
    except TopicAlreadyExistsError:
        pass
    a.delete_topics([name], timeout_ms=10000)
    wait_until(lambda: name not in a.list_topics(), 10, what='topic gone from list_topics()')
    try:
        a.delete_topics([name], timeout_ms=10000)
        raise AssertionError('deleting it again succeeded')
    except UnknownTopicOrPartitionError:
        pass
    return 'create, duplicate, delete, delete again'


@check('list-topics', 'list/describe topics', 2, timeout_s=45)
def list_topics(ctx):
    names = [ctx.topic('list-a'), ctx.topic('list-b')]
    for i, n in enumerate(names):
        create_topic(ctx, n, i + 2)
    listed = admin(ctx).list_topics()
    for n in names:
        assert n in listed, '%s missing from list_topics()' % n
    described = {t['topic']: t for t in admin(ctx).describe_topics(names)}
    for i, n in enumerate(names):
        parts = described[n]['partitions']
        assert len(parts) == i + 2, '%s: %d partitions' % (n, len(parts))
        assert all(p['replicas'] == [p['leader']] and p['isr'] == [p['leader']] for p in parts), parts
    c = consumer(ctx)
    try:
        assert c.partitions_for_topic(names[1]) == {0, 1, 2}, 'partitions_for_topic'
    finally:
        c.close()
    return 'list_topics, describe_topics, partitions_for_topic'


def keyed_items(n):
    items = []
    for i in range(n):
        headers = [('idx', str(i).encode()), ('bin', b'\x00\xff'), ('dup', b'1'), ('dup', b'2')]
        items.append(dict(key=('key-%d' % (i % 13)).encode(), value=compressible_value(i, 120), headers=headers))
    items.append(dict(key=None, value=b'no key', headers=[('empty', b'')]))
    items.append(dict(key=b'tombstone-key', value=None))
    return items


@check('produce-consume-keys-headers', 'produce/consume keys+headers', 2, timeout_s=90)
def produce_consume(ctx):
    topic = ctx.topic('keyed')
    create_topic(ctx, topic, 3)
    items = keyed_items(600)
    delivered = produce_all(producer(ctx), topic, items)
    recs = read_partitions(ctx, topic, [0, 1, 2], len(items))
    assert_same_records(items, delivered, recs)
    return '%d records over partitions %s' % (len(items), sorted({p for p, _ in delivered}))


def codec_check(codec):
    @check('codec-%s' % codec, 'codec %s' % codec, 2, timeout_s=60)
    def run(ctx):
        return codec_roundtrip(ctx, codec, kp_common, lambda ctx, codec: producer(
            ctx, compression_type=None if codec == 'none' else codec, linger_ms=50, batch_size=32768),
            close_producer=lambda p: p.close())
    return run


for _codec in CODECS:
    codec_check(_codec)


@check('idempotent-producer', 'idempotent producer', 2, timeout_s=10)
def idempotent(ctx):
    raise Skip('kafka-python 2.0.2 has no idempotent producer')


@check('list-offsets', 'list offsets', 2, timeout_s=60)
def list_offsets(ctx):
    topic = ctx.topic('offsets')
    create_topic(ctx, topic, 1)
    base = int(time.time() * 1000) - 3_600_000
    items = [dict(key=None, value=b'v%d' % i, timestamp=base + i * 10) for i in range(100)]
    produce_all(producer(ctx, linger_ms=0), topic, items)
    tp = TopicPartition(topic, 0)
    c = consumer(ctx)
    try:
        assert c.beginning_offsets([tp])[tp] == 0, 'beginning offset'
        assert c.end_offsets([tp])[tp] == 100, 'end offset %s' % c.end_offsets([tp])[tp]
        for ts, want in [(base, 0), (base + 500, 50), (base + 505, 51), (base + 990, 99), (base + 5000, None)]:
            got = c.offsets_for_times({tp: ts})[tp]
            if want is None:
                assert got is None, 'offsets_for_times past the end: %r' % (got,)
            else:
                assert got is not None and got.offset == want, \
                    'offsets_for_times(base+%d) = %r, expected %d' % (ts - base, got, want)
                assert got.timestamp == base + want * 10, 'timestamp %d' % got.timestamp
    finally:
        c.close()
    return 'beginning/end offsets, 5 timestamp lookups'

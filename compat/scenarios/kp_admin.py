"""kafka-python checks for issue 4: configs, partitions, delete records, describe topics, and
kafka-python-compressed records (xerial snappy, lz4 frames, ...) read back through compacted topics."""
import time

from kafka import TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions
from kafka.errors import InvalidPartitionsError

from compat_lib import CODECS, check, wait_until
import compaction_model
from kp_common import admin, consumer, create_topic, describe_topic, poll_records, produce_all, producer
import kp_protocol as proto

SOURCE_DYNAMIC_TOPIC = 1


def topic_configs(ctx, topic):
    """{name: (value, source-or-is_default)} from DescribeConfigs at the version kafka-python picked."""
    [resp] = admin(ctx).describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    obj = resp.to_object()
    [res] = obj['resources']
    assert res['error_code'] == 0, 'DescribeConfigs error %d: %s' % (res['error_code'], res['error_message'])
    out = {}
    for e in res['config_entries']:
        out[e['config_names']] = (e['config_value'], e.get('config_source', e.get('is_default')))
    return out


@check('describe-configs', 'configs: describe', 4, timeout_s=45)
def describe_configs(ctx):
    topic = ctx.topic('cfg-describe')
    create_topic(ctx, topic, 1, {'retention.ms': '86400000'})
    cfg = topic_configs(ctx, topic)
    assert cfg.get('retention.ms', (None,))[0] == '86400000', 'retention.ms %r' % (cfg.get('retention.ms'),)
    for key in ('cleanup.policy', 'segment.bytes', 'max.message.bytes'):
        assert key in cfg, '%s not described' % key
    return '%d topic configs described' % len(cfg)


@check('alter-configs', 'configs: alter', 4, timeout_s=45)
def alter_configs(ctx):
    topic = ctx.topic('cfg-alter')
    create_topic(ctx, topic, 1)
    resp = admin(ctx).alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                                    configs={'retention.ms': '7200000'})])
    [res] = resp.to_object()['resources']
    assert res['error_code'] == 0, 'AlterConfigs error %d: %s' % (res['error_code'], res['error_message'])
    got = topic_configs(ctx, topic)['retention.ms'][0]
    assert got == '7200000', 'retention.ms after alter: %r' % got
    return 'retention.ms altered and described'


@check('incremental-alter-configs', 'configs: incremental alter', 4, timeout_s=45)
def incremental_alter(ctx):
    a = admin(ctx)
    versions = proto.api_versions(a)
    assert 44 in versions, 'IncrementalAlterConfigs (44) not advertised in ApiVersions'
    topic = ctx.topic('cfg-incr')
    create_topic(ctx, topic, 1, {'max.message.bytes': '2000000', 'cleanup.policy': 'delete'})
    req = proto.IncrementalAlterConfigsRequest_v0(resources=[(proto.RESOURCE_TOPIC, topic, [
        ('retention.ms', proto.OP_SET, '999999'),
        ('max.message.bytes', proto.OP_DELETE, None),
        ('cleanup.policy', proto.OP_APPEND, 'compact'),
    ])], validate_only=False)
    [res] = proto.send(a, req).to_object()['responses']
    assert res['error_code'] == 0, 'IncrementalAlterConfigs error %d: %s' % (res['error_code'], res['error_message'])
    cfg = topic_configs(ctx, topic)
    assert cfg['retention.ms'][0] == '999999', 'SET: retention.ms %r' % (cfg['retention.ms'],)
    assert cfg['max.message.bytes'][1] not in (SOURCE_DYNAMIC_TOPIC, False), \
        'DELETE: max.message.bytes still a topic override %r' % (cfg['max.message.bytes'],)
    assert set(cfg['cleanup.policy'][0].split(',')) == {'delete', 'compact'}, \
        'APPEND: cleanup.policy %r' % (cfg['cleanup.policy'][0],)
    bad = proto.IncrementalAlterConfigsRequest_v0(resources=[(proto.RESOURCE_TOPIC, topic, [
        ('retention.ms', proto.OP_SET, 'soon')])], validate_only=False)
    [res] = proto.send(a, bad).to_object()['responses']
    assert res['error_code'] == 40, 'invalid value: error %d, expected INVALID_CONFIG (40)' % res['error_code']
    return 'SET/DELETE/APPEND applied, invalid value -> INVALID_CONFIG (v0 via kafka-python protocol layer)'


@check('create-partitions', 'create partitions', 4, timeout_s=45)
def create_partitions(ctx):
    topic = ctx.topic('parts')
    create_topic(ctx, topic, 1)
    admin(ctx).create_partitions({topic: NewPartitions(total_count=3)})
    wait_until(lambda: len(describe_topic(ctx, topic)['partitions']) == 3, 10, what='3 partitions in metadata')
    delivered = produce_all(producer(ctx), topic, [dict(value=b'x', partition=2)])
    assert delivered == [(2, 0)], 'produce to the new partition: %s' % delivered
    try:
        admin(ctx).create_partitions({topic: NewPartitions(total_count=2)})
        raise AssertionError('shrinking was accepted')
    except InvalidPartitionsError:
        pass
    return '1 -> 3 partitions, produce to the new one, shrink -> INVALID_PARTITIONS'


@check('delete-records', 'delete records', 4, timeout_s=60)
def delete_records(ctx):
    a = admin(ctx)
    assert 21 in proto.api_versions(a), 'DeleteRecords (21) not advertised in ApiVersions'
    topic = ctx.topic('delrec')
    create_topic(ctx, topic, 2)
    produce_all(producer(ctx), topic, [dict(value=b'%d' % i, partition=i % 2) for i in range(200)])
    req = proto.DeleteRecordsRequest_v0(topics=[(topic, [(0, 40), (1, -1)])], timeout_ms=10000)
    [t] = proto.send(a, req).to_object()['topics']   # a single broker leads every partition
    lows = sorted((p['partition_index'], p['low_watermark'], p['error_code']) for p in t['partitions'])
    assert lows == [(0, 40, 0), (1, 100, 0)], 'DeleteRecords result %s' % lows
    c = consumer(ctx)
    try:
        tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
        begin = c.beginning_offsets(tps)
        assert [begin[tp] for tp in tps] == [40, 100], 'log start offsets %s' % begin
        c.assign(tps)
        c.seek(tps[0], 10)   # below the log start: OFFSET_OUT_OF_RANGE, reset to earliest
        recs = poll_records(c, 60, 20)
        offs = [r.offset for r in recs]
        assert offs == list(range(40, 100)), 'read offsets %s..%s (%d)' % (offs[:1], offs[-1:], len(offs))
    finally:
        c.close()
    oob = proto.DeleteRecordsRequest_v0(topics=[(topic, [(0, 500)])], timeout_ms=10000)
    [t] = proto.send(a, oob).to_object()['topics']
    assert t['partitions'][0]['error_code'] == 1, 'beyond the high watermark: error %d, expected OFFSET_OUT_OF_RANGE' % (
        t['partitions'][0]['error_code'])
    return 'log start 40 and 100; reads from below reset to 40; beyond HW -> OFFSET_OUT_OF_RANGE'


@check('describe-topics', 'list/describe topics', 4, timeout_s=45)
def describe_topics(ctx):
    topic = ctx.topic('describe')
    create_topic(ctx, topic, 3, {'cleanup.policy': 'compact'})
    t = describe_topic(ctx, topic)
    assert [p['partition'] for p in sorted(t['partitions'], key=lambda p: p['partition'])] == [0, 1, 2]
    assert topic_configs(ctx, topic)['cleanup.policy'][0] == 'compact', 'cleanup.policy not described'
    return 'describe_topics + describe_configs'


@check('retention-time', 'retention: retention.ms deletes old segments', 4, timeout_s=420)
def retention_time(ctx):
    # records stamped an hour ago are past retention.ms=10 min at once; the record written
    # after the roll is fresh, so its segment must stay for the next 10 minutes
    topic = ctx.topic('retention')
    create_topic(ctx, topic, 1, {'retention.ms': '600000', 'segment.ms': '100'})
    p = producer(ctx)
    old = int(time.time() * 1000) - 3_600_000
    produce_all(p, topic, [dict(value=b'old-%d' % i, timestamp=old) for i in range(50)])
    time.sleep(1.2)   # past segment.ms: the next append rolls the segment
    produce_all(p, topic, [dict(value=b'new')])
    tp = TopicPartition(topic, 0)
    c = consumer(ctx)
    try:
        # Brook checks every log.retention.check.interval.ms (Kafka's default: 5 min; the runner
        # asks for 2 s), the first time 30 s after start
        start = wait_until(lambda: c.beginning_offsets([tp])[tp] or None, 360, interval_s=1,
                           what='log start offset moving past the expired segment')
        assert start == 50, 'log start offset %d, expected 50 (the fresh segment must stay)' % start
        c.assign([tp])
        c.seek(tp, 0)   # below the log start: reset to earliest
        recs = poll_records(c, 1, 15)
        assert [r.value for r in recs] == [b'new'], 'read %r' % [r.value for r in recs][:3]
    finally:
        c.close()
    return 'expired segment deleted: log start offset 50, fetch from 0 reset to it'


@check('log-append-time', 'configs: LogAppendTime', 4, timeout_s=45)
def log_append_time(ctx):
    topic = ctx.topic('append-time')
    create_topic(ctx, topic, 1, {'message.timestamp.type': 'LogAppendTime'})
    old = int(time.time() * 1000) - 86_400_000
    before = int(time.time() * 1000)
    for codec in (None, 'lz4'):
        produce_all(producer(ctx, compression_type=codec, linger_ms=20), topic,
                    [dict(key=b'k', value=b'%s-%d' % (str(codec).encode(), i), timestamp=old) for i in range(50)])
    after = int(time.time() * 1000)
    tp = TopicPartition(topic, 0)
    c = consumer(ctx, check_crcs=True)   # kafka-python verifies each batch's CRC-32C
    try:
        c.assign([tp])
        c.seek_to_beginning()
        recs = poll_records(c, 100, 20)
    finally:
        c.close()
    assert len(recs) == 100, 'read %d of 100 records' % len(recs)
    bad = [r for r in recs if r.timestamp_type != 1 or not before - 1000 <= r.timestamp <= after + 1000]
    assert not bad, '%d records without the broker append time, e.g. type %d ts %d' % (
        len(bad), bad[0].timestamp_type, bad[0].timestamp)
    return 'plain and lz4 batches stamped with the append time, CRCs valid'


# ---- every codec through a compacted topic ----

_compaction = {}


def compaction_setup(ctx):
    return compaction_model.compaction_setup(
        ctx, _compaction, CODECS, create_topic,
        lambda ctx, codec: producer(ctx, compression_type=None if codec == 'none' else codec, linger_ms=20,
                                    max_in_flight_requests_per_connection=1),
        produce_all, close_producer=lambda p: p.close())


def read_topic(ctx, topic):
    tp = TopicPartition(topic, 0)
    c = consumer(ctx)
    try:
        high = c.end_offsets([tp])[tp]
        c.assign([tp])
        c.seek_to_beginning(tp)
        recs = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (not recs or recs[-1].offset < high - 1):
            for batch in c.poll(timeout_ms=300).values():
                recs.extend(batch)
        return [(r.offset, r.key, r.value) for r in recs], high
    finally:
        c.close()


compaction_model.register_compacted_checks(CODECS, compaction_setup, read_topic)

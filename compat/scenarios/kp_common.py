"""kafka-python (pure Python, Debian's 2.0.2) helpers shared by the kp_* check modules."""
import logging

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError

from compat_lib import check_same_records, mock_create_topic, poll_until, wait_until

logging.basicConfig(level=logging.ERROR)  # kafka-python logs to stderr only on errors
_admins = {}


def base_conf(ctx, **extra):
    conf = dict(bootstrap_servers=ctx.bootstrap, client_id='brook-compat-kp', request_timeout_ms=15000,
                api_version_auto_timeout_ms=10000)
    conf.update(extra)
    return conf


def admin(ctx):
    a = _admins.get(ctx.bootstrap)
    if a is None:
        a = _admins[ctx.bootstrap] = KafkaAdminClient(**base_conf(ctx))
    return a


def broker_version(ctx):
    """The broker version kafka-python inferred from ApiVersions (it picks request versions by it)."""
    return '.'.join(str(x) for x in admin(ctx).config['api_version'])


def describe_topic(ctx, name):
    for t in admin(ctx).describe_topics([name]):
        if t['topic'] == name and t['error_code'] == 0:
            return t
    return None


def create_topic(ctx, name, partitions, configs=None, wait_s=15):
    try:
        admin(ctx).create_topics([NewTopic(name, partitions, 1, topic_configs=configs or {})], timeout_ms=10000)
    except KafkaError:
        if configs or not mock_create_topic(ctx, name, partitions):  # development aid against the mock only
            raise

    def ready():
        t = describe_topic(ctx, name)
        return t is not None and len(t['partitions']) == partitions and all(p['leader'] >= 0 for p in t['partitions'])
    wait_until(ready, wait_s, what='metadata for %s with %d partitions' % (name, partitions))


def producer(ctx, **extra):
    conf = base_conf(ctx, acks='all', linger_ms=5, retries=3)
    conf.update(extra)
    return KafkaProducer(**conf)


def produce_all(p, topic, items, timeout_s=30):
    """Send dicts(key, value, headers?, partition?, timestamp?); return [(partition, offset)] in order."""
    futures = []
    for it in items:
        futures.append(p.send(topic, value=it.get('value'), key=it.get('key'), headers=it.get('headers') or [],
                              partition=it.get('partition'), timestamp_ms=it.get('timestamp')))
    p.flush(timeout=timeout_s)
    out = []
    for f in futures:
        md = f.get(timeout=timeout_s)
        out.append((md.partition, md.offset))
    return out


def consumer(ctx, group=None, **extra):
    conf = base_conf(ctx, group_id=group, enable_auto_commit=False, auto_offset_reset='earliest')
    conf.update(extra)
    return KafkaConsumer(**conf)


def poll_records(c, want, timeout_s, settle_s=0.5):
    def poll_once():
        return [r for recs in c.poll(timeout_ms=200).values() for r in recs]
    return poll_until(poll_once, want, timeout_s, settle_s)


def read_partitions(ctx, topic, partitions, want, timeout_s=30):
    c = consumer(ctx)
    try:
        c.assign([TopicPartition(topic, p) for p in partitions])
        c.seek_to_beginning()
        return poll_records(c, want, timeout_s)
    finally:
        c.close()


def assert_same_records(items, delivered, records):
    check_same_records(items, delivered, [
        dict(partition=r.partition, offset=r.offset, key=r.key, value=r.value, headers=r.headers or [])
        for r in records])

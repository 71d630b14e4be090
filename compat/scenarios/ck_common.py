"""confluent-kafka-python (librdkafka) helpers shared by the ck_* check modules."""

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from compat_lib import check_same_records, mock_create_topic, poll_until, wait_until

_admins = {}


def quiet_logger():
    import logging
    log = logging.getLogger('librdkafka')
    log.addHandler(logging.StreamHandler())  # stderr, which the runner keeps out of the matrix
    log.setLevel(logging.WARNING)
    return log


def base_conf(ctx, **extra):
    conf = {'bootstrap.servers': ctx.bootstrap, 'client.id': 'brook-compat-ck',
            'socket.timeout.ms': 10000, 'api.version.request.timeout.ms': 10000}
    conf.update(extra)
    return conf


def admin(ctx):
    a = _admins.get(ctx.bootstrap)
    if a is None:
        a = _admins[ctx.bootstrap] = AdminClient(base_conf(ctx))
    return a


def topic_partitions(ctx, topic, timeout_s=10):
    md = admin(ctx).list_topics(topic=topic, timeout=timeout_s)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return None
    return t.partitions


def create_topic(ctx, name, partitions, config=None, wait_s=15):
    """CreateTopics through the AdminClient, then wait until metadata shows every partition."""
    fs = admin(ctx).create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1,
                                            config=config or {})], operation_timeout=10)
    try:
        fs[name].result(timeout=20)
    except KafkaException as e:
        if not mock_create_topic(ctx, name, partitions):  # development aid against the mock only
            raise
        if config:
            raise AssertionError('mock cluster cannot set topic configs (%s)' % e)

    def ready():
        parts = topic_partitions(ctx, name)
        return parts is not None and len(parts) == partitions and all(p.leader >= 0 for p in parts.values())
    wait_until(ready, wait_s, what='metadata for %s with %d partitions' % (name, partitions))


def expect_kafka_error(action, error_name, accepted_msg, what):
    """action() must fail with the KafkaException named error_name (librdkafka's short name)."""
    try:
        action()
        raise AssertionError(accepted_msg)
    except KafkaException as e:
        assert e.args[0].name() == error_name, '%s: %s' % (what, e)


def producer(ctx, **extra):
    conf = base_conf(ctx, **{'linger.ms': 5, 'message.timeout.ms': 30000, 'acks': 'all'})
    conf.update(extra)
    return Producer(conf)


def produce_all(p, topic, items, timeout_s=30):
    """Produce dicts(key, value, headers?, partition?, timestamp?); return [(partition, offset)] in order."""
    results = [None] * len(items)
    errors = []

    def on_delivery(i):
        def cb(err, msg):
            if err is not None:
                errors.append('%d: %s' % (i, err))
            else:
                results[i] = (msg.partition(), msg.offset())
        return cb

    for i, it in enumerate(items):
        kwargs = dict(value=it.get('value'), key=it.get('key'), on_delivery=on_delivery(i))
        if it.get('headers') is not None:
            kwargs['headers'] = it['headers']
        if it.get('partition') is not None:
            kwargs['partition'] = it['partition']
        if it.get('timestamp') is not None:
            kwargs['timestamp'] = it['timestamp']
        while True:
            try:
                p.produce(topic, **kwargs)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    remaining = p.flush(timeout_s)
    assert remaining == 0, '%d messages not delivered within %ss' % (remaining, timeout_s)
    assert not errors, 'delivery errors: %s' % '; '.join(errors[:5])
    return results


def consumer(ctx, group, **extra):
    # librdkafka 2.0.2 insists on group.id even for assign(); without subscribe() it is unused
    conf = base_conf(ctx, **{'group.id': group, 'enable.auto.commit': False,
                             'auto.offset.reset': 'earliest', 'enable.partition.eof': False})
    conf.update(extra)
    return Consumer(conf)


def poll_messages(c, want, timeout_s, settle_s=0.5):
    """Poll until `want` messages arrived (then `settle_s` more, to catch extras) or timeout."""
    def poll_once():
        m = c.poll(0.2)
        if m is None:
            return []
        if m.error() is not None:
            if m.error().code() == KafkaError._PARTITION_EOF:
                return []
            raise KafkaException(m.error())
        return [m]
    return poll_until(poll_once, want, timeout_s, settle_s)


def read_partitions(ctx, topic, partitions, want, timeout_s=30, **conf):
    """assign() every partition from offset 0 and read `want` messages."""
    c = consumer(ctx, ctx.group('reader-' + topic[-12:]), **conf)
    try:
        c.assign([TopicPartition(topic, p, 0) for p in partitions])
        return poll_messages(c, want, timeout_s)
    finally:
        c.close()


def as_record(m):
    return dict(partition=m.partition(), offset=m.offset(), key=m.key(), value=m.value(),
                headers=m.headers() or [], timestamp=m.timestamp()[1])


def assert_same_records(items, delivered, messages):
    """Every produced item came back once, at the offset its delivery report gave, with its content."""
    check_same_records(items, delivered, [as_record(m) for m in messages])


__all__ = ['admin', 'expect_kafka_error', 'create_topic', 'producer', 'produce_all', 'consumer', 'poll_messages',
           'read_partitions', 'as_record', 'assert_same_records', 'topic_partitions', 'TopicPartition',
           'KafkaError', 'KafkaException', 'quiet_logger']

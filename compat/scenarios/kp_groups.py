"""kafka-python checks for issue 3: group consumers (each member in its own thread, since
kafka-python's poll() blocks while joining) and KafkaAdminClient's group calls."""
import threading
import time

from kafka import TopicPartition
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.structs import OffsetAndMetadata

from compat_lib import check, wait_until
from kp_common import admin, consumer, create_topic, produce_all, producer

GROUP_CONF = dict(session_timeout_ms=10000, heartbeat_interval_ms=500, max_poll_interval_ms=30000)


class Member(threading.Thread):
    """A subscribed KafkaConsumer polled by its own thread; commits and closes when told to stop."""

    def __init__(self, ctx, group, topic, name, **conf):
        super().__init__(daemon=True)
        self.c = consumer(ctx, group, client_id='compat-' + name, **dict(GROUP_CONF, **conf))
        self.topic = topic
        self.name = name
        self.records = []
        self.owned = []
        self.error = None
        self._halt = threading.Event()
        self._commit_on_stop = True
        self._commit_req = threading.Event()
        self._commit_done = threading.Event()

    def run(self):
        try:
            self.c.subscribe([self.topic])
            while not self._halt.is_set():
                for recs in self.c.poll(timeout_ms=100).values():
                    self.records.extend(recs)
                self.owned = sorted(tp.partition for tp in self.c.assignment())
                if self._commit_req.is_set() and not self._commit_done.is_set():
                    self.c.commit()
                    self._commit_done.set()
            if self._commit_on_stop:
                self.c.commit()
        except Exception as e:  # reported by the check
            self.error = e
        finally:
            self.c.close()

    def commit_now(self, timeout_s=20):
        """Commit from the member's own thread while it is still in the group."""
        self._commit_req.set()
        if not self._commit_done.wait(timeout_s):
            raise AssertionError('%s: commit did not complete (%s)' % (self.name, self.error))

    def stop(self, commit=True):
        self._commit_on_stop = commit
        self._halt.set()
        self.join(20)
        if self.error:
            raise self.error


def values(members):
    return [r.value for m in members for r in m.records]


@check('group-consumer', 'group: consume, commit, resume', 3, timeout_s=120)
def group_consumer(ctx):
    topic = ctx.topic('grp-one')
    group = ctx.group('one')
    create_topic(ctx, topic, 3)
    first = [dict(key=None, value=b'a%d' % i, partition=i % 3) for i in range(90)]
    produce_all(producer(ctx), topic, first)
    m = Member(ctx, group, topic, 'one')
    m.start()
    try:
        wait_until(lambda: len(m.records) >= len(first) or m.error, 45, what='90 records consumed')
        time.sleep(0.5)
    finally:
        m.stop()
    assert sorted(values([m])) == sorted(it['value'] for it in first), '%d records consumed' % len(m.records)
    committed = admin(ctx).list_consumer_group_offsets(group)
    offs = sorted((tp.partition, om.offset) for tp, om in committed.items() if tp.topic == topic)
    assert offs == [(0, 30), (1, 30), (2, 30)], 'committed %s' % offs
    more = [dict(key=None, value=b'b%d' % i, partition=i % 3) for i in range(30)]
    produce_all(producer(ctx), topic, more)
    m2 = Member(ctx, group, topic, 'one-again')
    m2.start()
    try:
        wait_until(lambda: len(m2.records) >= len(more) or m2.error, 45, what='new records consumed after restart')
        time.sleep(1.0)
    finally:
        m2.stop()
    got = sorted(values([m2]))
    assert got == sorted(it['value'] for it in more), 'resumed member read %d records, expected the %d new' % (
        len(got), len(more))
    return 'consumed 90, committed 30/30/30, restarted member read only the 30 new'


@check('group-roundrobin', 'group: roundrobin assignor', 3, timeout_s=150)
def group_roundrobin(ctx):
    topic = ctx.topic('grp-rr')
    group = ctx.group('rr')
    create_topic(ctx, topic, 6)
    members = [Member(ctx, group, topic, n, partition_assignment_strategy=[RoundRobinPartitionAssignor])
               for n in ('rr-a', 'rr-b')]
    for m in members:
        m.start()
    try:
        def split():
            errs = [m.error for m in members if m.error]
            if errs:
                raise errs[0]
            sets = [set(m.owned) for m in members]
            return all(sets) and sum(map(len, sets)) == len(set().union(*sets)) == 6 and [m.owned for m in members]
        owned = wait_until(split, 60, what='two members sharing 6 partitions')
        items = [dict(key=None, value=b'rr%d' % i, partition=i % 6) for i in range(240)]
        produce_all(producer(ctx), topic, items)
        wait_until(lambda: len(values(members)) >= len(items), 30, what='all records consumed')
        time.sleep(0.5)
        for m in members:
            stray = {r.partition for r in m.records} - set(m.owned)
            assert not stray, '%s got records of partitions it does not own: %s' % (m.name, sorted(stray))
        for m in members:   # both commit before either leaves (leaving rebalances the other)
            m.commit_now()
    finally:
        for m in members:
            m.stop(commit=False)
    got = values(members)
    assert len(got) == len(set(got)) == 240, '%d consumed (%d distinct), produced 240' % (len(got), len(set(got)))
    committed = admin(ctx).list_consumer_group_offsets(group)
    offs = sorted(om.offset for tp, om in committed.items() if tp.topic == topic)
    assert offs == [40] * 6, 'committed offsets %s, expected 40 on each partition' % offs
    return 'split %s/%s, no record twice, both committed' % tuple(owned)


@check('group-list-describe', 'group admin: list/describe', 3, timeout_s=90)
def list_describe(ctx):
    topic = ctx.topic('grp-admin')
    group = ctx.group('admin')
    create_topic(ctx, topic, 2)
    m = Member(ctx, group, topic, 'admin')
    m.start()
    try:
        wait_until(lambda: len(m.owned) == 2 or m.error, 45, what='member assigned')
        a = admin(ctx)
        listed = wait_until(lambda: [g for g in a.list_consumer_groups() if g[0] == group], 10,
                            what='group in list_consumer_groups()')
        assert listed[0][1] == 'consumer', 'protocol type %r' % (listed[0][1],)
        [info] = a.describe_consumer_groups([group])
        assert info.error_code == 0, 'describe error %d' % info.error_code
        assert info.state == 'Stable' and info.protocol_type == 'consumer', (info.state, info.protocol_type)
        assert len(info.members) == 1 and info.members[0].client_id == 'compat-admin', info.members
        assignment = info.members[0].member_assignment
        parts = sorted(p for t, ps in assignment.assignment for p in ps)
        assert parts == [0, 1], 'described assignment %r' % (assignment,)
    finally:
        m.stop()
    return 'list_consumer_groups + describe_consumer_groups: Stable, protocol %s, assignment decoded' % info.protocol


def commit_without_joining(ctx, group, offsets):
    """Commit explicit offsets for a group from a consumer that never joins it."""
    c = consumer(ctx, group)
    try:
        c.commit(offsets)
    finally:
        c.close()


@check('group-list-offsets', 'group admin: list offsets', 3, timeout_s=60)
def list_offsets(ctx):
    topic = ctx.topic('grp-offsets')
    group = ctx.group('offsets')
    create_topic(ctx, topic, 3)
    commit_without_joining(ctx, group, {TopicPartition(topic, p): OffsetAndMetadata(p + 1, 'm%d' % p) for p in range(3)})
    got = admin(ctx).list_consumer_group_offsets(group)
    mine = sorted((tp.partition, om.offset, om.metadata) for tp, om in got.items() if tp.topic == topic)
    assert mine == [(0, 1, 'm0'), (1, 2, 'm1'), (2, 3, 'm2')], 'list_consumer_group_offsets: %s' % mine
    only = admin(ctx).list_consumer_group_offsets(group, partitions=[TopicPartition(topic, 1)])
    assert [om.offset for om in only.values()] == [2], 'one partition: %s' % only
    return 'offsets and metadata strings round-trip'


@check('group-alter-offsets', 'group admin: alter offsets', 3, timeout_s=60)
def alter_offsets(ctx):
    # kafka-python 2.0.2 has no alter_consumer_group_offsets; committing explicit offsets without
    # joining (what kafka-consumer-groups --reset-offsets does for an empty group) is the equivalent
    topic = ctx.topic('grp-alter')
    group = ctx.group('alter')
    create_topic(ctx, topic, 2)
    c = consumer(ctx, group)
    try:
        c.commit({TopicPartition(topic, 0): OffsetAndMetadata(5, ''), TopicPartition(topic, 1): OffsetAndMetadata(6, '')})
        c.commit({TopicPartition(topic, 0): OffsetAndMetadata(1, 'reset')})
        assert c.committed(TopicPartition(topic, 0)) == 1 and c.committed(TopicPartition(topic, 1)) == 6, \
            'committed %s/%s' % (c.committed(TopicPartition(topic, 0)), c.committed(TopicPartition(topic, 1)))
    finally:
        c.close()
    return 'set 5/6 then reset partition 0 to 1'


@check('group-delete', 'group admin: delete groups', 3, timeout_s=90)
def delete_groups(ctx):
    topic = ctx.topic('grp-delete')
    empty, busy = ctx.group('del-empty'), ctx.group('del-busy')
    create_topic(ctx, topic, 1)
    commit_without_joining(ctx, empty, {TopicPartition(topic, 0): OffsetAndMetadata(3, '')})
    m = Member(ctx, busy, topic, 'busy')
    m.start()
    try:
        wait_until(lambda: m.owned == [0] or m.error, 45, what='busy member assigned')
        result = dict(admin(ctx).delete_consumer_groups([empty, busy]))
        # kafka-python returns error classes (NoError, NonEmptyGroupError, ...), not instances
        assert result[empty].errno == 0, 'deleting the empty group: %s' % result[empty]
        assert result[busy].errno == 68, 'deleting a group with a member: %s, expected NON_EMPTY_GROUP (68)' % (
            getattr(result[busy], '__name__', result[busy]),)
    finally:
        m.stop(commit=False)
    offsets = admin(ctx).list_consumer_group_offsets(empty)
    assert not [tp for tp in offsets if tp.topic == topic], 'offsets of the deleted group remain: %s' % offsets
    assert empty not in [g[0] for g in admin(ctx).list_consumer_groups()], 'deleted group still listed'
    return 'empty group deleted with its offsets; group with a member -> NON_EMPTY_GROUP'


@check('group-mixed-clients', 'group: mixed clients (kafka-python + librdkafka)', 3, timeout_s=120)
def mixed_clients(ctx):
    # the coordinator must pick a protocol every member supports ("range" here) and hand each
    # client's own assignor result through SyncGroup unchanged
    from ck_member import Member as RdMember, pump
    topic = ctx.topic('grp-mixed')
    group = ctx.group('mixed')
    create_topic(ctx, topic, 4)
    kp = Member(ctx, group, topic, 'mixed-kp')
    rd = RdMember(ctx, group, 'range', 'mixed-rd')
    kp.start()
    rd.subscribe(topic)
    try:
        def split():
            pump([rd], 0.3)
            if kp.error:
                raise kp.error
            a, b = set(kp.owned), set(rd.assignment())
            return a and b and not (a & b) and a | b == {0, 1, 2, 3} and (sorted(a), sorted(b))
        owned = wait_until(split, 60, interval_s=0, what='kafka-python and librdkafka members sharing 4 partitions')
        items = [dict(key=None, value=b'mx%d' % i, partition=i % 4) for i in range(80)]
        produce_all(producer(ctx), topic, items)
        wait_until(lambda: (pump([rd], 0.3), len(kp.records) + len(rd.messages) >= 80)[1], 30, interval_s=0,
                   what='all records consumed')
        pump([rd], 0.5)
        got = [r.value for r in kp.records] + [m.value() for m in rd.messages]
        assert len(got) == len(set(got)) == 80, '%d consumed (%d distinct), produced 80' % (len(got), len(set(got)))
        [info] = admin(ctx).describe_consumer_groups([group])
        proto = info.protocol
    finally:
        kp.stop(commit=False)
        rd.close()
    return 'kafka-python %s / librdkafka %s, protocol %s, no record twice' % (owned[0], owned[1], proto)

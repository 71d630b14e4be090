"""confluent-kafka-python checks for issue 3: consumer groups (range, cooperative-sticky, a crashed
member, static membership), commits, resuming, and the group admin calls of the 1.7.0 binding."""
import json
import os
import subprocess
import sys
import threading
import time

from confluent_kafka import TopicPartition

from compat_lib import Skip, check, restart_broker, wait_until
from ck_common import admin, consumer, create_topic, produce_all, producer
from ck_member import PARTITIONS, Member, pump, pump_until, wait_split


def group_round_trip(ctx, strategy, tag):
    topic = ctx.topic('grp-' + tag)
    group = ctx.group(tag)
    create_topic(ctx, topic, PARTITIONS)
    a = Member(ctx, group, strategy, 'a')
    b = Member(ctx, group, strategy, 'b')
    notes = []
    try:
        a.subscribe(topic)
        if strategy == 'cooperative-sticky':
            pump_until([a], lambda: len(a.assignment()) == PARTITIONS, 30,
                       what='first member owning all partitions')
        b.subscribe(topic)
        split = wait_split([a, b], 45, 'two members sharing %d partitions' % PARTITIONS)
        notes.append('split %s/%s' % tuple(split))
        if strategy == 'cooperative-sticky':
            # cooperative: the first member gives up only what moves, never everything at once
            full = [r for r in a.revoked if len(r) == PARTITIONS]
            assert not full, 'member a had all partitions revoked (eager rebalance): %r' % a.revoked
            assert set(split[0]) <= set(range(PARTITIONS)) and a.assigned_events[0] == list(range(PARTITIONS))
            notes.append('incremental revoke %r' % a.revoked)
        items = [dict(key=None, value=b'%s-%d' % (tag.encode(), i), partition=i % PARTITIONS) for i in range(240)]
        produce_all(producer(ctx), topic, items)
        pump_until([a, b], lambda: len(a.messages) + len(b.messages) >= len(items), 30,
                   what='all records consumed by the two members')
        pump([a, b], 0.5)
        for m in (a, b):
            owned = set(m.assignment())
            stray = [x.partition() for x in m.messages if x.partition() not in owned]
            assert not stray, 'member %s got records of partitions it does not own: %s' % (m.name, sorted(set(stray)))
        values = [x.value() for x in a.messages + b.messages]
        assert len(values) == len(set(values)) == len(items), \
            '%d records consumed (%d distinct), produced %d' % (len(values), len(set(values)), len(items))
        for m in (a, b):
            m.c.commit(asynchronous=False)
        committed = a.c.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
        offs = [tp.offset for tp in committed]
        assert offs == [40] * PARTITIONS, 'committed offsets %s, expected 40 each' % offs
    finally:
        a.close()
        b.close()
    # a new member of the same group resumes from the committed offsets
    more = [dict(key=None, value=b'%s-more-%d' % (tag.encode(), i), partition=i % PARTITIONS) for i in range(60)]
    produce_all(producer(ctx), topic, more)
    c = Member(ctx, group, strategy, 'c')
    try:
        c.subscribe(topic)
        pump_until([c], lambda: len(c.messages) >= len(more), 45,
                   what='restarted member reading the new records')
        pump([c], 1.0)
        got = sorted(x.value() for x in c.messages)
        assert got == sorted(it['value'] for it in more), \
            'restarted member read %d records (%d expected, only the new ones)' % (len(got), len(more))
    finally:
        c.close()
    notes.append('commit + resume ok')
    return '; '.join(notes)


@check('group-range', 'group: range assignor', 3, timeout_s=150)
def group_range(ctx):
    return group_round_trip(ctx, 'range', 'range')


@check('group-cooperative-sticky', 'group: cooperative-sticky', 3, timeout_s=150)
def group_cooperative(ctx):
    return group_round_trip(ctx, 'cooperative-sticky', 'coop')


@check('group-member-crash', 'group: member crash (session timeout)', 3, timeout_s=120)
def member_crash(ctx):
    topic = ctx.topic('grp-crash')
    group = ctx.group('crash')
    create_topic(ctx, topic, 4)
    a = Member(ctx, group, 'range', 'survivor')
    child = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), 'ck_member.py'),
                              ctx.bootstrap, group, topic], stdout=subprocess.PIPE, text=True)
    seen = []
    threading.Thread(target=lambda: [seen.append(json.loads(l)) for l in child.stdout], daemon=True).start()
    try:
        a.subscribe(topic)
        pump_until([a], lambda: seen and seen[-1] and a.assignment()
                   and len(a.assignment()) + len(seen[-1]) == 4, 45,
                   what='survivor and the member to be killed sharing 4 partitions')
        before = a.assignment()
        t0 = time.monotonic()
        child.kill()   # no LeaveGroup: only the session timeout (6 s) tells the coordinator
        child.wait()
        pump_until([a], lambda: a.assignment() == [0, 1, 2, 3], 40,
                   what='survivor owning every partition after the crash')
        took = time.monotonic() - t0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        a.close()
    return 'survivor %s -> all 4 partitions %.1f s after SIGKILL (session.timeout.ms=6000)' % (before, took)


@check('group-static-member', 'group: static membership', 3, timeout_s=120)
def static_member(ctx):
    topic = ctx.topic('grp-static')
    group = ctx.group('static')
    create_topic(ctx, topic, 4)
    static = {'session.timeout.ms': 30000}
    a = Member(ctx, group, 'range', 'static-a', **dict(static, **{'group.instance.id': 'instance-a'}))
    b = Member(ctx, group, 'range', 'static-b', **dict(static, **{'group.instance.id': 'instance-b'}))
    b2 = None
    try:
        a.subscribe(topic)
        b.subscribe(topic)
        split = wait_split([a, b], 45, 'two static members sharing 4 partitions', partitions=4)
        pump([a, b], 1.0)
        a_events = (len(a.revoked), len(a.assigned_events))
        b.close()   # a static member leaves no LeaveGroup behind: its slot waits for it
        b2 = Member(ctx, group, 'range', 'static-b2', **dict(static, **{'group.instance.id': 'instance-b'}))
        b2.subscribe(topic)
        pump_until([a, b2], lambda: b2.assignment(), 30,
                   what='restarted static member assigned')
        pump([a, b2], 2.0)
        assert b2.assignment() == split[1], 'restarted static member got %s, had %s' % (b2.assignment(), split[1])
        assert (len(a.revoked), len(a.assigned_events)) == a_events, \
            'the other member went through a rebalance: revoked %s, assigned %s' % (a.revoked, a.assigned_events)
    finally:
        a.close()
        if b2 is not None:
            b2.close()
    return 'split %s/%s; instance-b restarted and got %s back without rebalancing instance-a' % (
        split[0], split[1], split[1])


@check('group-across-crash', 'group: survives broker restart', 3, timeout_s=120)
def group_across_crash(ctx):
    # a member that stays up while the broker is SIGKILLed and restarted: it must reconnect,
    # keep (or rejoin) its group, and neither lose nor re-read committed records
    topic = ctx.topic('grp-crash-broker')
    group = ctx.group('crash-broker')
    create_topic(ctx, topic, 3)
    a = Member(ctx, group, 'range', 'through-crash')
    try:
        a.subscribe(topic)
        pump_until([a], lambda: len(a.assignment()) == 3, 45, what='member assigned')
        produce_all(producer(ctx), topic, [dict(value=b'one-%d' % i, partition=i % 3) for i in range(60)])
        pump_until([a], lambda: len(a.messages) >= 60, 30, what='60 records consumed')
        a.c.commit(asynchronous=False)
        took = restart_broker('kill')
        produce_all(producer(ctx), topic, [dict(value=b'two-%d' % i, partition=i % 3) for i in range(60)], timeout_s=60)
        pump_until([a], lambda: len(a.messages) >= 120, 60,
                   what='the 60 records written after the restart consumed')
        pump([a], 1.0)
        values = [m.value() for m in a.messages]
        assert len(values) == len(set(values)) == 120, '%d records consumed (%d distinct), expected 120' % (
            len(values), len(set(values)))
        a.c.commit(asynchronous=False)
        offs = [tp.offset for tp in a.c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)]
        assert offs == [40, 40, 40], 'committed %s after the restart, expected 40 each' % offs
    finally:
        a.close()
    return 'consumed 60, committed, broker SIGKILLed and back in %.1f s, 60 more consumed once, committed 40/40/40' % took


@check('group-list-describe', 'group admin: list/describe', 3, timeout_s=90)
def list_describe(ctx):
    topic = ctx.topic('grp-admin')
    group = ctx.group('admin')
    create_topic(ctx, topic, 2)
    m = Member(ctx, group, 'range', 'admin')
    try:
        m.subscribe(topic)
        pump_until([m], lambda: len(m.assignment()) == 2, 45, what='member assigned')
        a = admin(ctx)
        groups = wait_until(lambda: [g for g in a.list_groups(timeout=10) if g.id == group], 10,
                            what='group in list_groups()')
        [g] = a.list_groups(group=group, timeout=10)   # ListGroups + DescribeGroups under the hood
        assert g.state == 'Stable', 'state %r' % g.state
        assert g.protocol_type == 'consumer' and g.protocol == 'range', (g.protocol_type, g.protocol)
        assert len(g.members) == 1, '%d members' % len(g.members)
        mem = g.members[0]
        assert mem.client_id == 'compat-admin', 'client id %r' % mem.client_id
        assert mem.assignment, 'member assignment empty'
        return 'listed %d group(s); %s state=%s protocol=%s' % (len(groups), group[-12:], g.state, g.protocol)
    finally:
        m.close()


@check('group-alter-offsets', 'group admin: alter offsets', 3, timeout_s=60)
def alter_offsets(ctx):
    # confluent-kafka-python 1.7.0 has no alter_consumer_group_offsets; a consumer that commits
    # without joining (a "simple" consumer) is how offsets of an empty group are set
    topic = ctx.topic('grp-alter')
    group = ctx.group('alter')
    create_topic(ctx, topic, 3)
    c = consumer(ctx, group)
    try:
        want = [TopicPartition(topic, p, 10 * (p + 1)) for p in range(3)]
        c.commit(offsets=want, asynchronous=False)
        got = c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
        assert [tp.offset for tp in got] == [10, 20, 30], 'committed %s' % [tp.offset for tp in got]
    finally:
        c.close()
    return 'simple-consumer commit then committed(): 10/20/30'


@check('group-delete', 'group admin: delete groups', 3, timeout_s=10)
def delete_group(ctx):
    raise Skip('confluent-kafka-python 1.7.0 AdminClient has no delete_consumer_groups (kafka-python covers it)')


@check('restart-group-offsets', 'group: offsets survive restart', 3, timeout_s=60)
def restart_commit(ctx):
    topic = ctx.topic('durable-grp')
    create_topic(ctx, topic, 2)
    c = consumer(ctx, ctx.group('durable'))
    try:
        c.commit(offsets=[TopicPartition(topic, 0, 7), TopicPartition(topic, 1, 9)], asynchronous=False)
    finally:
        c.close()
    return 'committed 7/9 before the restart'


@check('restart-group-offsets-read', 'group: offsets survive restart', 3, timeout_s=60, phase='after-restart')
def restart_commit_read(ctx):
    topic = ctx.topic('durable-grp')
    c = consumer(ctx, ctx.group('durable'))
    try:
        got = c.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)], timeout=15)
        offs = [tp.offset for tp in got]
        assert offs == [7, 9], 'committed offsets after restart %s, expected [7, 9]' % offs
    finally:
        c.close()
    return 'committed offsets 7/9 read back after restart'

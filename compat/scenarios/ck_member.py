"""A confluent-kafka-python group member polled from the caller's thread, and (run as a script)
a member in its own process that the crash check SIGKILLs:

  ck_member.py BOOTSTRAP GROUP TOPIC    prints the sorted assignment as JSON whenever it changes
"""
import json
import sys
import time

from compat_lib import wait_until

PARTITIONS = 6


class Member:
    """One group member; remembers its assignment events, revocations and messages."""

    def __init__(self, ctx, group, strategy, name, **extra):
        from ck_common import consumer
        self.name = name
        self.revoked = []
        self.assigned_events = []
        self.messages = []
        conf = {'partition.assignment.strategy': strategy, 'session.timeout.ms': 10000,
                'heartbeat.interval.ms': 500, 'max.poll.interval.ms': 60000, 'client.id': 'compat-' + name}
        conf.update(extra)
        self.c = consumer(ctx, group, **conf)

    def subscribe(self, topic):
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, c, partitions):
        self.assigned_events.append(sorted(p.partition for p in partitions))

    def _on_revoke(self, c, partitions):
        self.revoked.append(sorted(p.partition for p in partitions))

    def assignment(self):
        return sorted(p.partition for p in self.c.assignment())

    def poll(self, timeout_s=0.1):
        m = self.c.poll(timeout_s)
        if m is not None and m.error() is None:
            self.messages.append(m)
        return m

    def close(self):
        self.c.close()


def pump(members, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for m in members:
            m.poll(0.05)


def pump_until(members, cond, timeout_s, what):
    """Poll the members (0.3 s a round) until cond() is truthy; returns its value."""
    return wait_until(lambda: (pump(members, 0.3), cond())[1], timeout_s, interval_s=0, what=what)


def wait_split(members, timeout_s, what, partitions=PARTITIONS):
    """Poll all members until their assignments are disjoint, non-empty and cover every partition."""
    def split():
        pump(members, 0.3)
        sets = [set(m.assignment()) for m in members]
        if not all(sets):
            return False
        union = set().union(*sets)
        return sum(len(s) for s in sets) == len(union) == partitions and [sorted(s) for s in sets]
    return wait_until(split, timeout_s, interval_s=0, what=what)


if __name__ == '__main__':
    from confluent_kafka import Consumer
    bootstrap, group, topic = sys.argv[1:4]
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'session.timeout.ms': 6000,
                  'heartbeat.interval.ms': 500, 'client.id': 'compat-crashing', 'enable.auto.commit': False})
    c.subscribe([topic])
    last = None
    while True:   # until SIGKILLed
        c.poll(0.1)
        now = sorted(p.partition for p in c.assignment())
        if now != last:
            print(json.dumps(now), flush=True)
            last = now

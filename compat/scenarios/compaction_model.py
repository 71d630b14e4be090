"""The workload and the model for "each codec read back through a compacted topic".

20 keys x 10 rounds on one partition (offset i = record i), key k0 ending in a tombstone,
then one 'roll' record after segment.ms so that the first segment becomes cleanable.
"""
import time

from compat_lib import check

COMPACT_CONFIG = {
    'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01',
    'delete.retention.ms': '100', 'min.compaction.lag.ms': '0',
}
KEYS, ROUNDS = 20, 10
SETTLE_S = 90  # how long the cleaner may take, shared by all codecs from the end of the setup


def compaction_items(codec):
    items = []
    for r in range(ROUNDS):
        for k in range(KEYS):
            value = None if (k == 0 and r == ROUNDS - 1) else (
                '%s round %d key %d %s' % (codec, r, k, 'lorem ipsum dolor sit amet ' * 4)).encode()
            items.append(dict(key=b'k%d' % k, value=value))
    return items


def verify_compacted(records, high, codec):
    """records: [(offset, key, value)] read from offset 0. Returns (ok, note)."""
    items = compaction_items(codec) + [dict(key=b'roll', value=b'roll')]
    if high != len(items):
        return False, 'high watermark %d, expected %d' % (high, len(items))
    last = -1
    for off, key, value in records:
        if off <= last:
            return False, 'offsets not increasing at %d' % off
        last = off
        want = items[off]
        if (key, value) != (want['key'], want['value']):
            return False, 'record at offset %d is not the one written there (offsets changed?)' % off
    seen = {}
    for off, key, value in records:
        seen.setdefault(key, []).append(off)
    latest = {}
    for i, it in enumerate(items):
        latest[it['key']] = i
    for key, offs in seen.items():
        if offs[-1] != latest[key]:
            return False, 'key %r: latest record (offset %d) missing, last read %d' % (key, latest[key], offs[-1])
    missing = [k for k, i in latest.items() if items[i]['value'] is not None and k not in seen]
    if missing:
        return False, 'keys lost: %s' % missing
    if len(records) == len(items):
        return False, 'not compacted: all %d records still there' % len(records)
    dup = {k: len(o) for k, o in seen.items() if len(o) > 1}
    if dup:
        return False, 'partly compacted: %d records, keys still duplicated %s' % (len(records), sorted(dup)[:5])
    tomb = 'tombstone kept' if b'k0' in seen else 'tombstone removed'
    return True, '%d -> %d records, latest per key, offsets unchanged, %s' % (len(items), len(records), tomb)


def compaction_setup(ctx, state, codecs, create_topic, open_producer, produce_all, close_producer=None):
    """Once for all codecs (state: a module-level dict): create the topics, write duplicates with
    open_producer(ctx, codec), roll the segment; share one deadline."""
    if state:
        return state
    topics = {}
    for codec in codecs:
        topic = ctx.topic('cmp-' + codec)
        create_topic(ctx, topic, 1, COMPACT_CONFIG)
        p = open_producer(ctx, codec)
        produce_all(p, topic, compaction_items(codec))
        topics[codec] = (topic, p)
    time.sleep(1.2)  # past segment.ms, so the next append rolls the segment
    for codec, (topic, p) in topics.items():
        produce_all(p, topic, [dict(key=b'roll', value=b'roll')])
        if close_producer is not None:
            close_producer(p)
    state.update(topics=topics, deadline=time.monotonic() + SETTLE_S)
    return state


def register_compacted_checks(codecs, setup, read_topic):
    """One 'compacted-<codec>' check per codec: re-read (read_topic(ctx, topic) -> (records, high))
    until verify_compacted() is satisfied or the shared deadline from setup(ctx) passes."""
    for codec in codecs:
        _compacted_check(codec, setup, read_topic)


def _compacted_check(codec, setup, read_topic):
    @check('compacted-%s' % codec, 'compacted topic: %s' % codec, 4, timeout_s=150)
    def run(ctx):
        state = setup(ctx)
        topic, _p = state['topics'][codec]
        while True:
            records, high = read_topic(ctx, topic)
            ok, note = verify_compacted(records, high, codec)
            if ok:
                return note
            if time.monotonic() > state['deadline']:
                raise AssertionError(note)
            time.sleep(2)
    return run

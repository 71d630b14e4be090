"""The workload and the model for "each codec read back through a compacted topic".

20 keys x 10 rounds on one partition (offset i = record i), key k0 ending in a tombstone,
then one 'roll' record after segment.ms so that the first segment becomes cleanable.
"""

COMPACT_CONFIG = {
    'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01',
    'delete.retention.ms': '100', 'min.compaction.lag.ms': '0',
}
KEYS, ROUNDS = 20, 10


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

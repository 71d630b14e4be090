"""Shared plumbing for the compat scenarios (run with Debian's /usr/bin/python3).

Every scenario script registers checks with @check and calls main(). Each check
prints exactly one JSON line on stdout:
  {"client", "check", "capability", "issue", "status": pass|fail|skip, "detail", "ms"}
Anything else a client library prints goes to stderr. A check fails by raising
(AssertionError or any client error), skips by raising Skip, and is stopped by
SIGALRM after its timeout.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time
import traceback

CODEC_IDS = {'none': 0, 'gzip': 1, 'snappy': 2, 'lz4': 3, 'zstd': 4}
CODECS = tuple(CODEC_IDS)  # ('none', 'gzip', 'snappy', 'lz4', 'zstd')


class Skip(Exception):
    """Raised by a check that cannot run here (client lacks the API, ...)."""


class CheckTimeout(Exception):
    pass


_CHECKS = []


def check(name, capability, issue, timeout_s=60, phase='main'):
    """Register a check: fn(ctx) -> optional detail string."""
    def register(fn):
        _CHECKS.append(dict(name=name, capability=capability, issue=issue,
                            timeout_s=timeout_s, phase=phase, fn=fn))
        return fn
    return register


class Context:
    def __init__(self, args, client):
        self.bootstrap = args.bootstrap
        self.run_id = args.run_id
        self.client = client
        self.data_dir = args.data_dir or None
        self.mock_ctl = os.environ.get('COMPAT_MOCK_CTL') or None
        short = {'confluent-kafka-python': 'ck', 'kafka-python': 'kp', 'kcat': 'kc'}.get(client, client)
        self.prefix = 'compat-%s-%s' % (self.run_id, short)

    def topic(self, suffix):
        return '%s-%s' % (self.prefix, suffix)

    def group(self, suffix):
        return '%s-g-%s' % (self.prefix, suffix)


def _on_alarm(signum, frame):
    raise CheckTimeout('check timed out')


def emit(record):
    sys.stdout.write(json.dumps(record) + '\n')
    sys.stdout.flush()


def main(client, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--bootstrap', required=True, help='host:port of the broker')
    parser.add_argument('--run-id', default=str(int(time.time())), help='makes topic/group names unique')
    parser.add_argument('--data-dir', default='', help="the broker's data dir, to inspect stored batches")
    parser.add_argument('--only', default='', help='comma-separated check names (substring match)')
    parser.add_argument('--issues', default='', help='comma-separated issue numbers to run')
    parser.add_argument('--phase', default='main', help='main | after-restart')
    parser.add_argument('--list', action='store_true', help='list checks as JSON lines and exit')
    args = parser.parse_args()

    ctx = Context(args, client)
    only = [s for s in args.only.split(',') if s]
    issues = {int(s) for s in args.issues.split(',') if s}
    signal.signal(signal.SIGALRM, _on_alarm)
    for c in _CHECKS:
        if c['phase'] != args.phase:
            continue
        if only and not any(o in c['name'] for o in only):
            continue
        if issues and c['issue'] not in issues:
            continue
        base = dict(client=client, check=c['name'], capability=c['capability'], issue=c['issue'])
        if args.list:
            emit(base)
            continue
        t0 = time.monotonic()
        status, detail = 'pass', ''
        signal.alarm(c['timeout_s'])
        try:
            detail = c['fn'](ctx) or ''
        except Skip as e:
            status, detail = 'skip', str(e)
        except CheckTimeout:
            status, detail = 'fail', 'timed out after %ds' % c['timeout_s']
        except BaseException as e:  # any client error is a failed check, never a crashed script
            if isinstance(e, KeyboardInterrupt):
                raise
            status = 'fail'
            detail = '%s: %s' % (type(e).__name__, e)
            tb = traceback.format_exc()
            sys.stderr.write('[%s/%s] %s\n' % (client, c['name'], tb))
        finally:
            signal.alarm(0)
        base.update(status=status, detail=str(detail)[:600], ms=int((time.monotonic() - t0) * 1000))
        emit(base)


# ---- helpers shared by the scenario scripts ------------------------------------------

def wait_until(fn, timeout_s, interval_s=0.2, what='condition'):
    """Poll fn() until it returns a truthy value; returns it or raises AssertionError."""
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # keep polling: transient errors while a feature settles
            last = e
        if time.monotonic() > deadline:
            raise AssertionError('%s not reached within %ss (last: %r)' % (what, timeout_s, last))
        time.sleep(interval_s)


def poll_until(poll_once, want, timeout_s, settle_s=0.5):
    """Call poll_once() (returns a list of new records) until `want` records arrived
    (then `settle_s` more, to catch extras) or timeout."""
    got = []
    deadline = time.monotonic() + timeout_s
    settle_until = None
    while time.monotonic() < deadline:
        got.extend(poll_once())
        if len(got) >= want:
            if settle_until is None:
                settle_until = time.monotonic() + settle_s
            elif time.monotonic() >= settle_until:
                break
    return got


def check_same_records(items, delivered, records):
    """Every produced item came back once, at the offset its delivery report gave, with its content.
    records: dicts(partition, offset, key, value, headers=[(k, v)]) in consumption order."""
    by_pos = {}
    for r in records:
        pos = (r['partition'], r['offset'])
        assert pos not in by_pos, 'offset %s delivered twice' % (pos,)
        by_pos[pos] = r
    assert len(by_pos) == len(items), 'consumed %d records, produced %d' % (len(by_pos), len(items))
    for it, pos in zip(items, delivered):
        r = by_pos.get(pos)
        assert r is not None, 'record at %s missing' % (pos,)
        assert r['key'] == it.get('key'), 'key at %s: %r != %r' % (pos, r['key'], it.get('key'))
        assert r['value'] == it.get('value'), 'value at %s differs' % (pos,)
        want_headers = [tuple(h) for h in (it.get('headers') or [])]
        got_headers = [tuple(h) for h in r['headers']]
        assert got_headers == want_headers, 'headers at %s: %r != %r' % (pos, got_headers, want_headers)
    # per partition: offsets strictly increasing in consumption order
    last = {}
    for r in records:
        assert r['offset'] > last.get(r['partition'], -1), 'partition %d out of order' % r['partition']
        last[r['partition']] = r['offset']


def mock_create_topic(ctx, name, partitions):
    """Development aid: librdkafka's mock cluster has no CreateTopics; use its control socket."""
    if not ctx.mock_ctl:
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(ctx.mock_ctl)
    s.sendall(('create %s %d 1\n' % (name, partitions)).encode())
    reply = s.recv(200).decode().strip()
    s.close()
    if reply not in ('ok', 'exists'):
        raise AssertionError('mock create: %s' % reply)
    return True


def compressible_value(i, size=200):
    words = ('alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima '
             'mike november oscar papa quebec romeo sierra tango uniform victor whiskey ')
    s = ('msg-%06d ' % i) + words * (size // len(words) + 1)
    return s[:size].encode()


def codec_roundtrip(ctx, codec, family, open_producer, close_producer=None):
    """Body of the 'codec-<codec>' checks. family: the client's *_common module (create_topic,
    produce_all, read_partitions, assert_same_records); open_producer(ctx, codec) -> producer."""
    topic = ctx.topic('codec-' + codec)
    family.create_topic(ctx, topic, 1)
    items = [dict(key=('k%d' % (i % 7)).encode(), value=compressible_value(i, 300),
                  headers=[('codec', codec.encode())]) for i in range(500)]
    p = open_producer(ctx, codec)
    delivered = family.produce_all(p, topic, items)
    if close_producer is not None:
        close_producer(p)
    records = family.read_partitions(ctx, topic, [0], len(items))
    family.assert_same_records(items, delivered, records)
    return '%d records; %s' % (len(items), assert_stored_codec(ctx, topic, 0, codec))


def restart_broker(mode='term'):
    """Ask the runner to restart Brook now (mode 'term' = SIGTERM, 'kill' = SIGKILL, a crash)
    and wait until it serves again on the same port and data dir. Returns seconds taken."""
    import urllib.request
    url = os.environ.get('COMPAT_CONTROL_URL')
    if not url:
        raise Skip('needs a broker the runner started (restart control)')
    import urllib.error
    req = urllib.request.Request('%s/restart?mode=%s' % (url, mode), method='POST')
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            body = json.loads(resp.read().decode())
    except urllib.error.HTTPError as e:
        body = json.loads(e.read().decode() or '{}')
    if not body.get('ok'):
        raise AssertionError('broker restart failed: %s' % body.get('error'))
    return body['ms'] / 1000.0


# ---- reading Brook's stored segments (Kafka's on-disk layout) -----------------------

def find_partition_dir(data_dir, topic, partition):
    want = '%s-%d' % (topic, partition)
    for root, dirs, _files in os.walk(data_dir):
        if want in dirs:
            return os.path.join(root, want)
        if root.count(os.sep) - data_dir.count(os.sep) >= 2:
            dirs[:] = []
    return None


def stored_batches(data_dir, topic, partition):
    """Batch headers of every record batch in <topic>-<partition>/*.log (magic v2 layout).

    Returns None when the partition directory is not found (not Brook's layout, or no data dir).
    """
    pdir = find_partition_dir(data_dir, topic, partition) if data_dir else None
    if pdir is None:
        return None
    batches = []
    for name in sorted(f for f in os.listdir(pdir) if f.endswith('.log')):
        with open(os.path.join(pdir, name), 'rb') as f:
            buf = f.read()
        pos = 0
        while pos + 61 <= len(buf):
            base_offset, batch_length = struct.unpack_from('>qi', buf, pos)
            if batch_length <= 0 or pos + 12 + batch_length > len(buf):
                break  # preallocated or torn tail
            (_epoch, magic, _crc, attributes, last_delta, _bts, _mts, producer_id, producer_epoch,
             base_sequence, count) = struct.unpack_from('>ibIhiqqqhii', buf, pos + 12)
            batches.append(dict(base_offset=base_offset, magic=magic, codec=attributes & 7,
                                attributes=attributes, last_offset_delta=last_delta,
                                producer_id=producer_id, producer_epoch=producer_epoch,
                                base_sequence=base_sequence, records=count))
            pos += 12 + batch_length
    return batches


def check_stored_codec(batches, codec):
    """(ok, note) for the stored batches of a partition written with `codec`.

    librdkafka sends a batch uncompressed when compressing does not make it smaller (a batch of
    one short record), so uncompressed batches are allowed as long as they hold at most a tenth
    of the records; any other codec id is wrong.
    """
    data = [b for b in batches if not (b['attributes'] & 32)]
    if not data:
        return False, 'no batches found on disk'
    want = CODEC_IDS[codec]
    codecs = sorted({b['codec'] for b in data})
    if not set(codecs) <= {0, want}:
        return False, 'stored batches have codec ids %s, expected %d (%s)' % (codecs, want, codec)
    total = sum(b['records'] for b in data)
    packed = sum(b['records'] for b in data if b['codec'] == want)
    if packed * 10 < total * 9:
        return False, 'only %d of %d records stored in %s batches (codec ids %s)' % (packed, total, codec, codecs)
    plain = len([b for b in data if b['codec'] != want])
    return True, 'stored as %s in %d batches%s' % (
        codec, len(data) - plain, ' (+%d tiny uncompressed)' % plain if plain else '')


def assert_stored_codec(ctx, topic, partition, codec):
    """When the broker's data dir is known, check the batches were stored with `codec`.

    This catches a client that silently sends uncompressed batches (old librdkafka does
    when Produce v0 is not advertised). Returns a note for the check's detail.
    """
    batches = stored_batches(ctx.data_dir, topic, partition)
    if batches is None:
        return 'stored codec not inspected (no data dir)'
    ok, note = check_stored_codec(batches, codec)
    assert ok, '%s-%d: %s' % (topic, partition, note)
    return note


if __name__ == '__main__':
    # `compat_lib.py batches DATA_DIR TOPIC PARTITION`: used by kcat.sh
    if len(sys.argv) == 5 and sys.argv[1] == 'batches':
        print(json.dumps(stored_batches(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        sys.exit('usage: compat_lib.py batches DATA_DIR TOPIC PARTITION')

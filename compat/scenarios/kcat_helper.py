"""Helpers for kcat.sh (kcat has no admin commands and its output needs checking):

  kcat_helper.py emit CLIENT CHECK CAPABILITY ISSUE STATUS MS DETAIL   one JSON result line
  kcat_helper.py create BOOTSTRAP TOPIC PARTITIONS [key=value ...]      CreateTopics (confluent-kafka-python)
  kcat_helper.py verify FILE COUNT [--headers a=1,b=2] [--keys PREFIX] [--values PREFIX]
  kcat_helper.py compacted FILE HIGH                                     model check (compaction_model)
  kcat_helper.py stored DATA_DIR TOPIC CODEC [--idempotent]              stored batch headers

Every verifying command prints a one-line detail and exits 0 (ok) or 1 (problem, printed).
"""
import json
import sys

from compat_lib import check_stored_codec, stored_batches


def load(path):
    out = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.strip()
            if line.startswith('{'):
                out.append(json.loads(line))
    return out


def fail(msg):
    print(msg)
    sys.exit(1)


def cmd_emit(client, check, capability, issue, status, ms, detail):
    print(json.dumps(dict(client=client, check=check, capability=capability, issue=int(issue),
                          status=status, detail=detail[:600], ms=int(ms))))


def cmd_create(bootstrap, topic, partitions, *kvs):
    import os
    os.environ.setdefault('COMPAT_MOCK_CTL', '')
    from compat_lib import Context, wait_until  # noqa: F401
    import ck_common

    class Args:
        pass
    a = Args()
    a.bootstrap, a.run_id, a.data_dir = bootstrap, 'x', ''
    ctx = Context(a, 'kcat')
    configs = dict(kv.split('=', 1) for kv in kvs)
    ck_common.create_topic(ctx, topic, int(partitions), configs or None)
    print('created %s with %s partitions' % (topic, partitions))


def cmd_verify(path, count, *opts):
    msgs = load(path)
    count = int(count)
    o = dict(zip(opts[::2], opts[1::2]))
    if len(msgs) != count:
        fail('consumed %d messages, expected %d' % (len(msgs), count))
    want_headers = []
    if o.get('--headers'):
        for kv in o['--headers'].split(','):
            k, v = kv.split('=', 1)
            want_headers += [k, v]
    last = {}
    for i, m in enumerate(sorted(msgs, key=lambda m: (m['partition'], m['offset']))):
        if m['offset'] <= last.get(m['partition'], -1):
            fail('partition %d offsets repeat or go back at %d' % (m['partition'], m['offset']))
        last[m['partition']] = m['offset']
    for m in msgs:
        if want_headers and m.get('headers') != want_headers:
            fail('headers %r, expected %r' % (m.get('headers'), want_headers))
        payload = m.get('payload') or ''
        if o.get('--values') and not payload.startswith(o['--values']):
            fail('payload %r does not start with %r' % (payload[:40], o['--values']))
        if o.get('--keys'):
            # lines are "<keyprefix><n>:<valueprefix><n> ...": key and value carry the same n
            key = m.get('key') or ''
            n = key[len(o['--keys']):]
            if not key.startswith(o['--keys']) or ('%s ' % n) not in payload + ' ':
                fail('key %r does not match payload %r' % (key, payload[:40]))
    distinct = {m.get('payload') for m in msgs}
    if len(distinct) != len(msgs):
        fail('%d duplicate payloads' % (len(msgs) - len(distinct)))
    print('%d messages, offsets increasing per partition%s%s' % (
        len(msgs), ', headers match' if want_headers else '', ', keys match values' if o.get('--keys') else ''))


def cmd_compacted(path, high):
    from compaction_model import verify_compacted

    def b(s):
        return None if s is None else s.encode()
    records = [(m['offset'], b(m.get('key')), b(m.get('payload'))) for m in load(path)]
    ok, note = verify_compacted(records, int(high), 'kcat')
    print(note)
    sys.exit(0 if ok else 1)


def cmd_stored(data_dir, topic, codec, *flags):
    batches = stored_batches(data_dir, topic, 0) if data_dir else None
    if batches is None:
        print('stored batches not inspected (no data dir)')
        return
    ok, note = check_stored_codec(batches, codec)
    if not ok:
        fail(note)
    data = [x for x in batches if not (x['attributes'] & 32)]
    if '--idempotent' in flags:
        if any(x['producer_id'] < 0 for x in data):
            fail('batches stored without a producer id')
        note += ', producer id %d' % data[0]['producer_id']
    print(note)


if __name__ == '__main__':
    cmds = dict(emit=cmd_emit, create=cmd_create, verify=cmd_verify, compacted=cmd_compacted, stored=cmd_stored)
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except SystemExit:
        raise
    except Exception as e:  # one readable line for the check's detail
        fail('%s: %s' % (type(e).__name__, e))

#!/usr/bin/env python3
"""A minimal Kafka-protocol stand-in that records the record batches producers send.

It answers ApiVersions, Metadata (v0-v1) and Produce (v3-v7), claims every topic exists with one
partition led by itself, and writes each partition's records blob to
<outdir>/<client_id>--<topic>--<n>.bin. Used only to capture real clients' compressed batches as
test fixtures (see generate.sh). Listens on 127.0.0.1 only.
"""
import socket
import struct
import sys
import threading

HOST = "127.0.0.1"
# Produce must include v0 or librdkafka <= 2.11 disables compression (KAFKA-18659).
# FindCoordinator v0 and Fetch v10 are advertised (never served) because librdkafka gates lz4
# and zstd on them.
API_RANGES = {18: (0, 2), 3: (0, 1), 0: (0, 7), 10: (0, 0), 1: (0, 10)}


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        v = struct.unpack_from(">" + fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def string(self):
        n = self.take("h")
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def bytes_(self):
        n = self.take("i")
        if n < 0:
            return None
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b


def s16(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class Broker:
    def __init__(self, port, outdir):
        self.port, self.outdir, self.count = port, outdir, 0
        self.lock = threading.Lock()

    def api_versions(self, version):
        entries = b"".join(struct.pack(">hhh", k, lo, hi) for k, (lo, hi) in sorted(API_RANGES.items()))
        if version > 2:  # answer in v0 with UNSUPPORTED_VERSION; the client retries lower
            return struct.pack(">hi", 35, len(API_RANGES)) + entries
        body = struct.pack(">hi", 0, len(API_RANGES)) + entries
        return body + (struct.pack(">i", 0) if version >= 1 else b"")

    def metadata(self, r, version):
        n = r.take("i")
        topics = [r.string() for _ in range(max(n, 0))]
        broker = struct.pack(">i", 0) + s16(HOST) + struct.pack(">i", self.port)
        if version >= 1:
            broker += struct.pack(">h", -1)  # rack: null
        out = struct.pack(">i", 1) + broker
        if version >= 1:
            out += struct.pack(">i", 0)  # controller id
        out += struct.pack(">i", len(topics))
        for t in topics:
            out += struct.pack(">h", 0) + s16(t)
            if version >= 1:
                out += b"\x00"  # is_internal
            out += struct.pack(">i", 1) + struct.pack(">hii", 0, 0, 0)
            out += struct.pack(">ii", 1, 0) + struct.pack(">ii", 1, 0)
        return out

    def produce(self, r, version, client_id):
        r.string()  # transactional id
        r.take("h")  # acks
        r.take("i")  # timeout
        out_topics = []
        for _ in range(r.take("i")):
            topic = r.string()
            parts = []
            for _ in range(r.take("i")):
                partition = r.take("i")
                records = r.bytes_()
                with self.lock:
                    self.count += 1
                    n = self.count
                name = "%s/%s--%s--%03d.bin" % (self.outdir, client_id or "unknown", topic, n)
                with open(name, "wb") as f:
                    f.write(records or b"")
                parts.append(partition)
            out_topics.append((topic, parts))
        out = struct.pack(">i", len(out_topics))
        for topic, parts in out_topics:
            out += s16(topic) + struct.pack(">i", len(parts))
            for p in parts:
                out += struct.pack(">ihqq", p, 0, 0, -1)
                if version >= 5:
                    out += struct.pack(">q", 0)
        return out + struct.pack(">i", 0)

    def serve(self, conn):
        try:
            while True:
                size = struct.unpack(">i", read_exact(conn, 4))[0]
                r = Reader(read_exact(conn, size))
                api_key, version, corr = r.take("h"), r.take("h"), r.take("i")
                client_id = r.string()
                if api_key == 18:
                    body = self.api_versions(version)
                elif api_key == 3:
                    body = self.metadata(r, version)
                elif api_key == 0:
                    acks_pos = r.pos
                    r.string()
                    acks = r.take("h")
                    r.pos = acks_pos
                    body = self.produce(r, version, client_id)
                    if acks == 0:
                        continue
                else:
                    return
                payload = struct.pack(">i", corr) + body
                conn.sendall(struct.pack(">i", len(payload)) + payload)
        except (EOFError, ConnectionError):
            pass
        finally:
            conn.close()


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    broker = Broker(port, outdir)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, port))
    srv.listen(16)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=broker.serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()

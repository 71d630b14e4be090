"""The records every fixture producer sends: 200 keyed records of about 500 bytes each, so that
compressed batches span several lz4 (64 KiB) and xerial snappy (32 KiB) blocks."""
import hashlib

COUNT = 200


def value(i):
    words = " ".join("w%d" % ((i * 7 + j) % 97) for j in range(60))
    noise = hashlib.sha256(str(i).encode()).hexdigest()
    return ("v-%d %s %s" % (i, words, noise)).encode()


def messages():
    return [("k-%d" % i, value(i)) for i in range(COUNT)]

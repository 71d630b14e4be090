#!/usr/bin/python3
"""Frames no client above writes but the specs allow and other clients do: python-lz4 linked
blocks with a content checksum, and a zstd frame without a content size (as streaming writers such
as the Java client's zstd-jni produce). Written as bare compressed payloads, not batches."""
import sys

import lz4.frame
import zstandard

from messages import messages

outdir = sys.argv[1]
payload = b"".join(v for _, v in messages())
with open(outdir + "/synthetic--lz4-linked.lz4", "wb") as f:
    f.write(lz4.frame.compress(payload, block_linked=True, content_checksum=True, store_size=True,
                               block_size=lz4.frame.BLOCKSIZE_MAX64KB))
with open(outdir + "/synthetic--lz4-block-checksum.lz4", "wb") as f:
    f.write(lz4.frame.compress(payload, block_checksum=True, block_size=lz4.frame.BLOCKSIZE_MAX256KB))
cobj = zstandard.ZstdCompressor(write_content_size=False).compressobj()
with open(outdir + "/synthetic--zstd-no-content-size.zst", "wb") as f:
    f.write(cobj.compress(payload) + cobj.flush())
with open(outdir + "/synthetic--payload.bin", "wb") as f:
    f.write(payload)

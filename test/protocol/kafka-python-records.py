"""Test helper: builds and decodes record batches with kafka-python.

Run with Debian's /usr/bin/python3 (package python3-kafka). Reads a JSON list
of operations on stdin and writes a JSON list of results to stdout; bytes
travel as base64. Operations:

  {"op": "codecs"}
  {"op": "build", "codec": 1, "records": [...], "transactional": false,
   "producer_id": -1, "producer_epoch": -1, "base_sequence": -1}
      each record: {"offset", "timestamp", "key", "value", "headers": [[k, v]]}
  {"op": "build_legacy", "magic": 0 or 1, "records": [...]}   a v0/v1 message set
  {"op": "decode", "batch": b64}
  {"op": "snappy", "data": b64, "xerial": true}
  {"op": "lz4frame", "data": b64, "options": {...lz4.frame.compress kwargs}}
  {"op": "zstd_stream", "data": b64}      a frame without content size
"""

import base64
import json
import sys

from kafka import codec
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder

CODEC_MODULES = {
    "gzip": ("gzip", "python3 (stdlib)"),
    "snappy": ("snappy", "python3-snappy"),
    "lz4": ("lz4.frame", "python3-lz4"),
    "zstd": ("zstandard", "python3-zstandard"),
}


def b64(data):
    return None if data is None else base64.b64encode(bytes(data)).decode("ascii")


def unb64(text):
    return None if text is None else base64.b64decode(text)


def op_codecs(_cmd):
    available = {
        "gzip": codec.has_gzip(),
        "snappy": codec.has_snappy(),
        "lz4": codec.has_lz4(),
        "zstd": codec.has_zstd(),
    }
    return {"available": available, "debian_packages": {k: v[1] for k, v in CODEC_MODULES.items()}}


def op_build(cmd):
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=cmd["codec"],
        is_transactional=cmd.get("transactional", False),
        producer_id=cmd.get("producer_id", -1),
        producer_epoch=cmd.get("producer_epoch", -1),
        base_sequence=cmd.get("base_sequence", -1),
        batch_size=1 << 30,
    )
    for rec in cmd["records"]:
        headers = [(k, unb64(v)) for k, v in rec.get("headers", [])]
        meta = builder.append(rec["offset"], rec["timestamp"], unb64(rec.get("key")), unb64(rec.get("value")), headers)
        if meta is None:
            raise RuntimeError("record did not fit in the batch")
    return {"batch": b64(builder.build())}


def op_build_legacy(cmd):
    builder = LegacyRecordBatchBuilder(magic=cmd["magic"], compression_type=cmd.get("codec", 0), batch_size=1 << 30)
    for rec in cmd["records"]:
        builder.append(rec["offset"], rec.get("timestamp"), unb64(rec.get("key")), unb64(rec.get("value")))
    return {"batch": b64(builder.build())}


def op_decode(cmd):
    batch = DefaultRecordBatch(unb64(cmd["batch"]))
    header = batch._header_data  # producer id, epoch and base sequence have no public accessor
    out = {
        "crc_valid": batch.validate_crc(),
        "base_offset": batch.base_offset,
        "compression_type": batch.compression_type,
        "timestamp_type": batch.timestamp_type,
        "is_transactional": batch.is_transactional,
        "is_control_batch": batch.is_control_batch,
        "first_timestamp": batch.first_timestamp,
        "max_timestamp": batch.max_timestamp,
        "last_offset_delta": batch.last_offset_delta,
        "producer_id": header[9],
        "producer_epoch": header[10],
        "base_sequence": header[11],
        "records": [],
    }
    for rec in batch:
        out["records"].append(
            {
                "offset": rec.offset,
                "timestamp": rec.timestamp,
                "key": b64(rec.key),
                "value": b64(rec.value),
                "headers": [[k, b64(v)] for k, v in rec.headers],
            }
        )
    return out


def op_snappy(cmd):
    return {"data": b64(codec.snappy_encode(unb64(cmd["data"]), xerial_compatible=cmd.get("xerial", True)))}


def op_lz4frame(cmd):
    import lz4.frame

    return {"data": b64(lz4.frame.compress(unb64(cmd["data"]), **cmd.get("options", {})))}


def op_zstd_stream(cmd):
    import zstandard

    compressor = zstandard.ZstdCompressor().compressobj()
    return {"data": b64(compressor.compress(unb64(cmd["data"])) + compressor.flush())}


OPS = {
    "codecs": op_codecs,
    "build": op_build,
    "build_legacy": op_build_legacy,
    "decode": op_decode,
    "snappy": op_snappy,
    "lz4frame": op_lz4frame,
    "zstd_stream": op_zstd_stream,
}


def main():
    results = []
    for cmd in json.load(sys.stdin):
        try:
            results.append({"ok": OPS[cmd["op"]](cmd)})
        except Exception as err:  # reported to the test, which fails with the message
            results.append({"error": "%s: %s" % (type(err).__name__, err)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()

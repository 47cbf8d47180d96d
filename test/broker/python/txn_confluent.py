"""confluent-kafka-python (librdkafka) transactions against a Tributary broker.

Usage: python3 txn_confluent.py BOOTSTRAP PREFIX

1. A transactional producer commits one transaction and aborts another;
   both are read back with isolation.level read_committed and read_uncommitted.
2. Consume-transform-produce with send_offsets_to_transaction: 20 input
   records, processed 5 per transaction; one transaction is aborted, then
   the consumer and producer are replaced (same group, same transactional
   id), which must resume at the last committed offset. Prints a JSON summary.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, prefix = sys.argv[1], sys.argv[2]
simple, source, sink, group = prefix + "-simple", prefix + "-in", prefix + "-out", prefix + "-group"

admin = AdminClient({"bootstrap.servers": bootstrap})
for f in admin.create_topics([NewTopic(t, num_partitions=1, replication_factor=1) for t in (simple, source, sink)]).values():
    f.result(10)


def txn_producer(txn_id):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "enable.idempotence": True})
    p.init_transactions(15)
    return p


def read_all(topic, isolation):
    """Every record of partition 0 up to the end, with the given isolation level."""
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": prefix + "-reader",
        "isolation.level": isolation,
        "enable.partition.eof": True,
        "enable.auto.commit": False,
    })
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out = []
    deadline = time.time() + 20
    while time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                break
            raise SystemExit(str(m.error()))
        out.append([m.offset(), m.value().decode()])
    c.close()
    return out


# 1. commit and abort
p = txn_producer(prefix + "-tx-simple")
p.begin_transaction()
for i in range(3):
    p.produce(simple, value=b"committed-%d" % i, partition=0)
p.commit_transaction(15)
p.begin_transaction()
for i in range(3):
    p.produce(simple, value=b"aborted-%d" % i, partition=0)
p.flush(10)
p.abort_transaction(15)
p.begin_transaction()
p.produce(simple, value=b"committed-last", partition=0)
p.commit_transaction(15)
summary = {"committed": read_all(simple, "read_committed"), "uncommitted": read_all(simple, "read_uncommitted")}

# 2. consume-transform-produce, exactly once across a consumer restart
seed = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
for i in range(20):
    seed.produce(source, value=b"%d" % i, partition=0)
seed.flush(10)


def new_consumer():
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    c.subscribe([source])
    return c


def consume(c, n):
    msgs = []
    deadline = time.time() + 30
    while len(msgs) < n and time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise SystemExit(str(m.error()))
        msgs.append(m)
    return msgs


def transform(c, prod, n, commit):
    msgs = consume(c, n)
    prod.begin_transaction()
    for m in msgs:
        prod.produce(sink, value=b"out-" + m.value(), partition=0)
    prod.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 15)
    if commit:
        prod.commit_transaction(15)
    else:
        prod.flush(10)
        prod.abort_transaction(15)
    return [m.offset() for m in msgs]


consumer = new_consumer()
producer = txn_producer(prefix + "-tx-eos")
first = transform(consumer, producer, 5, True) + transform(consumer, producer, 5, True)
aborted = transform(consumer, producer, 5, False)
consumer.close()  # no offset commit of its own: the group's offset is the one the transactions committed

consumer = new_consumer()
producer = txn_producer(prefix + "-tx-eos")  # fences the previous producer
second = transform(consumer, producer, 5, True) + transform(consumer, producer, 5, True)
consumer.close()
probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
committed = probe.committed([TopicPartition(source, 0)], timeout=10)[0].offset
probe.close()

summary.update({
    "first": first,
    "aborted": aborted,
    "second": second,
    "group_offset": committed,
    "sink": [v for _, v in read_all(sink, "read_committed")],
})
print(json.dumps(summary))

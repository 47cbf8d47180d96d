"""confluent-kafka-python (Debian python3-confluent-kafka, librdkafka 2.0.2) consumer
groups with partition.assignment.strategy=cooperative-sticky against a Tributary broker.

Usage: python3 group_confluent.py BOOTSTRAP TOPIC GROUP N
The topic has 4 partitions. The first consumer owns all four; when a second
joins, the cooperative protocol moves two partitions to it incrementally (the
first never gives up the two it keeps); both read N records once between them;
the second closes and its partitions come back to the first, which reads N more.
A consumer started after both closed reads only what came after the commits.
Prints a JSON summary.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer

bootstrap, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
events = []
OWNED = {}
NAMES = {}


def produce(tag, count):
    values = ["%s-%d" % (tag, i) for i in range(count)]
    for i, v in enumerate(values):
        producer.produce(topic, value=v.encode(), partition=i % 4)
    producer.flush(10)
    return values


def consumer(name):
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": name,
            "partition.assignment.strategy": "cooperative-sticky",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": True,
            "auto.commit.interval.ms": 100,
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 300,
            "fetch.wait.max.ms": 100,
        }
    )
    owned = OWNED.setdefault(name, set())

    def on_assign(cons, parts):
        events.append([name, "assign", sorted(p.partition for p in parts)])
        owned.update(p.partition for p in parts)

    def on_revoke(cons, parts):
        events.append([name, "revoke", sorted(p.partition for p in parts)])
        owned.difference_update(p.partition for p in parts)

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    NAMES[id(c)] = name
    return c


def owned(c):
    return OWNED[NAMES[id(c)]]


def poll_until(consumers, done, timeout=30):
    got = [[] for _ in consumers]
    deadline = time.time() + timeout
    while not done(got) and time.time() < deadline:
        for i, c in enumerate(consumers):
            m = c.poll(0.05)
            if m is not None and m.error() is None:
                got[i].append([m.partition(), m.value().decode()])
    return got


def wait_owned(consumers, sizes, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for c in consumers:
            c.poll(0.05)
        if [len(owned(c)) for c in consumers] == sizes:
            return [sorted(owned(c)) for c in consumers]
    raise SystemExit("ownership never reached %s: %s %s" % (sizes, [owned(c) for c in consumers], events))


summary = {}
c1 = consumer("ck-1")
wait_owned([c1], [4])
c2 = consumer("ck-2")
summary["split"] = wait_owned([c1, c2], [2, 2])
first = produce("a", n)
got1, got2 = poll_until([c1, c2], lambda g: sum(len(x) for x in g) >= n)
summary["first"] = {"sent": first, "c1": got1, "c2": got2}
c2.close()
summary["after_leave"] = wait_owned([c1], [4])
second = produce("b", n)
(got,) = poll_until([c1], lambda g: sum(len(x) for x in g) >= n)
summary["second"] = {"sent": second, "c1": got}
c1.close()
third = produce("c", 8)
c3 = consumer("ck-3")
(got,) = poll_until([c3], lambda g: sum(len(x) for x in g) >= 8)
got.extend(poll_until([c3], lambda g: False, timeout=0.5)[0])
summary["third"] = {"sent": third, "c3": got}
c3.close()
summary["events"] = events
print(json.dumps(summary))

"""kafka-python (Debian python3-kafka 2.0.2) consumer groups against a Tributary broker.

Usage: python3 group_kafka_python.py BOOTSTRAP TOPIC GROUP N
The topic has 4 partitions. Two consumers of GROUP split them and read N
records once between them; after one closes (LeaveGroup) the other owns all
four and reads N more; a third consumer started after both closed reads only
the records produced after the last commit. Prints a JSON summary.
"""
import json
import sys
import threading
import time

from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")


def produce(tag, count):
    values = ["%s-%d" % (tag, i) for i in range(count)]
    for i, v in enumerate(values):
        producer.send(topic, value=v.encode(), partition=i % 4)
    producer.flush()
    return values


def consumer(name):
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=name,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=300,
        max_poll_interval_ms=20000,
        fetch_max_wait_ms=100,
    )


class Member(threading.Thread):
    """One consumer polling in its own thread (kafka-python blocks in poll while it joins)."""

    def __init__(self, name):
        super().__init__(daemon=True)
        self.consumer = consumer(name)
        self.records = []
        self.assigned = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            batch = self.consumer.poll(timeout_ms=100)
            with self.lock:
                for tp, records in batch.items():
                    self.records.extend([[tp.partition, r.value.decode()] for r in records])
                self.assigned = sorted(tp.partition for tp in self.consumer.assignment())
        self.consumer.commit()
        self.consumer.close()

    def since(self, mark):
        with self.lock:
            return list(self.records[mark:])

    def stop(self):
        self.stopping.set()
        self.join(30)


def wait(cond, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise SystemExit("timed out waiting for " + what)


summary = {}
m1 = Member("kp-1")
m1.start()
wait(lambda: len(m1.assigned) == 4, "kp-1 to own 4 partitions")
m2 = Member("kp-2")
m2.start()
wait(lambda: len(m1.assigned) == 2 and len(m2.assigned) == 2, "a 2/2 split")
summary["split"] = [m1.assigned, m2.assigned]
marks = (len(m1.records), len(m2.records))
first = produce("a", n)
wait(lambda: len(m1.since(marks[0])) + len(m2.since(marks[1])) >= n, "first batch")
summary["first"] = {"sent": first, "c1": m1.since(marks[0]), "c2": m2.since(marks[1])}
m2.stop()
wait(lambda: len(m1.assigned) == 4, "kp-1 to take over")
summary["after_leave"] = [m1.assigned]
mark = len(m1.records)
second = produce("b", n)
wait(lambda: len(m1.since(mark)) >= n, "second batch")
summary["second"] = {"sent": second, "c1": m1.since(mark)}
m1.stop()
third = produce("c", 8)
m3 = Member("kp-3")
m3.start()
wait(lambda: len(m3.since(0)) >= 8, "third batch")
time.sleep(0.5)
summary["third"] = {"sent": third, "c3": m3.since(0)}
m3.stop()
producer.close()
print(json.dumps(summary))

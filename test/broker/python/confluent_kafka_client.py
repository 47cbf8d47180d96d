"""confluent-kafka-python (Debian python3-confluent-kafka, librdkafka) against a Tributary broker.

Usage: python3 confluent_kafka_client.py BOOTSTRAP TOPIC N
"""
import json
import sys

from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

admin = AdminClient({"bootstrap.servers": bootstrap})
for f in admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)]).values():
    f.result(10)

acked = []


def on_delivery(err, msg):
    if err is None:
        acked.append([msg.partition(), msg.offset()])


producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "compression.type": "zstd"})
for i in range(n):
    producer.produce(topic, key=b"k%d" % i, value=b"v%d" % i, partition=i % 2, headers=[("h", b"%d" % i)], on_delivery=on_delivery)
producer.flush(10)

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
tps = [TopicPartition(topic, 0, OFFSET_BEGINNING), TopicPartition(topic, 1, OFFSET_BEGINNING)]
consumer.assign(tps)
got = []
idle = 0
while len(got) < n and idle < 10:
    msg = consumer.poll(1.0)
    if msg is None:
        idle += 1
        continue
    if msg.error():
        raise SystemExit(str(msg.error()))
    got.append(
        {"p": msg.partition(), "o": msg.offset(), "k": msg.key().decode(), "v": msg.value().decode(), "h": [[k, v.decode()] for k, v in msg.headers()]}
    )

watermarks = [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5) for p in (0, 1)]
times = consumer.offsets_for_times([TopicPartition(topic, 0, 0)], timeout=5)
print(
    json.dumps(
        {
            "acked": acked,
            "records": sorted(got, key=lambda r: (r["p"], r["o"])),
            "end": [w[1] for w in watermarks],
            "beginning": [w[0] for w in watermarks],
            "by_time_p0": times[0].offset,
        }
    )
)
consumer.close()

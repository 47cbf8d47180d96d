"""kafka-python (Debian python3-kafka) against a Tributary broker.

Usage: python3 kafka_python_client.py BOOTSTRAP TOPIC N
Produces N records (acks=all) to partitions 0 and 1, consumes them back by
assignment (no group), lists offsets, and prints a JSON summary.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="interop-kafka-python")
admin.create_topics([NewTopic(name=topic, num_partitions=2, replication_factor=1)])

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
futures = []
for i in range(n):
    futures.append(
        producer.send(topic, key=b"k%d" % i, value=b"v%d" % i, partition=i % 2, headers=[("h", b"%d" % i)])
    )
producer.flush()
acked = [f.get(timeout=10) for f in futures]

consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=3000)
tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
consumer.assign(tps)
consumer.seek_to_beginning(*tps)
got = []
while len(got) < n:
    batch = consumer.poll(timeout_ms=2000)
    if not batch:
        break
    for tp, records in batch.items():
        for r in records:
            got.append(
                {"p": r.partition, "o": r.offset, "k": r.key.decode(), "v": r.value.decode(), "h": [[k, v.decode()] for k, v in r.headers]}
            )

end = consumer.end_offsets(tps)
beginning = consumer.beginning_offsets(tps)
by_time = consumer.offsets_for_times({tps[0]: 0})
print(
    json.dumps(
        {
            "acked": [[m.partition, m.offset] for m in acked],
            "records": sorted(got, key=lambda r: (r["p"], r["o"])),
            "end": [end[tp] for tp in tps],
            "beginning": [beginning[tp] for tp in tps],
            "by_time_p0": by_time[tps[0]].offset if by_time[tps[0]] else None,
        }
    )
)
consumer.close()
producer.close()
admin.close()

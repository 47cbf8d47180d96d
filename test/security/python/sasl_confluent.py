"""confluent-kafka-python with SASL: produce N records, read them back by
assignment, print a JSON summary. With a wrong password, print the errors
librdkafka reported instead.

usage: sasl_confluent.py BOOTSTRAP TOPIC USER PASSWORD MECHANISM PROTOCOL N
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, topic, user, password, mechanism, protocol, n = sys.argv[1:8]
n = int(n)
errors = []
conf = {
    "bootstrap.servers": bootstrap,
    "security.protocol": protocol,
    "sasl.mechanisms": mechanism,
    "sasl.username": user,
    "sasl.password": password,
    "error_cb": lambda e: errors.append(str(e)),
}

producer = Producer({**conf, "acks": "all"})
try:
    producer.list_topics(timeout=5)
except KafkaException as e:
    producer.poll(1)  # serves error_cb
    print(json.dumps({"ok": False, "errors": errors + [str(e)]}))
    sys.exit(0)

acked = []
for i in range(n):
    producer.produce(topic, key=f"k{i}", value=f"v{i}", on_delivery=lambda err, m: acked.append(err is None))
producer.flush(15)

consumer = Consumer({**conf, "group.id": "unused", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, 0)])
values = []
while len(values) < n:
    m = consumer.poll(10)
    if m is None:
        break
    if m.error():
        raise KafkaException(m.error())
    values.append(m.value().decode())
consumer.close()
print(json.dumps({"ok": True, "acked": sum(acked), "values": values, "errors": errors}))

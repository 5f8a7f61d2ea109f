"""confluent-kafka (librdkafka) against a broker: admin, idempotent lz4 produce, group consume, commit.

Usage: python3 confluent_kafka_check.py HOST:PORT. Prints "confluent-kafka OK N" and exits 0, or
says what went wrong and exits 1. Run by ClientLibrariesIT.
"""
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

RECORDS, PARTITIONS, KEYS = 3000, 3, 50


def check(condition, what):
    if not condition:
        sys.exit("confluent-kafka: " + what)


def main(bootstrap):
    topic = "ck-" + uuid.uuid4().hex[:8]
    group = "g-" + topic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result(10)
    configs = admin.describe_configs([ConfigResource("topic", topic)])
    retention = list(configs.values())[0].result(10)["retention.ms"].value
    check(retention == "604800000", "retention.ms is %s" % retention)

    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "compression.type": "lz4", "linger.ms": 5})
    failures = []
    for i in range(RECORDS):
        producer.produce(topic, key=b"k%d" % (i % KEYS), value=b"v%d" % i,
                         on_delivery=lambda err, msg: err and failures.append(err))
        producer.poll(0)
    check(producer.flush(30) == 0, "records still unsent after 30 s")
    check(not failures, "deliveries failed: %s" % failures[:3])

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    by_key, read, deadline = {}, 0, time.time() + 60
    while read < RECORDS and time.time() < deadline:
        for m in consumer.consume(500, 1.0):
            check(m.error() is None, "consume error: %s" % m.error())
            by_key.setdefault(m.key(), []).append(int(m.value()[1:]))
            read += 1
    check(read == RECORDS, "read %d of %d records" % (read, RECORDS))
    for key, seqs in by_key.items():
        check(seqs == sorted(seqs), "key %s out of order" % key)
    consumer.commit(asynchronous=False)
    committed = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], 10)
    check(sum(tp.offset for tp in committed) == RECORDS, "committed %s" % committed)
    consumer.close()

    check(any(g.id == group for g in admin.list_groups(timeout=10)), "group %s not listed" % group)
    admin.delete_topics([topic])[topic].result(10)
    print("confluent-kafka OK", read)


if __name__ == "__main__":
    main(sys.argv[1])

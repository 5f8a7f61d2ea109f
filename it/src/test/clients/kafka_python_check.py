"""kafka-python against a broker: admin, acks=all gzip produce, group consume, commit.

Usage: python3 kafka_python_check.py HOST:PORT. Prints "kafka-python OK N" and exits 0, or says
what went wrong and exits 1. Run by ClientLibrariesIT.
"""
import sys
import uuid

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

RECORDS, PARTITIONS, KEYS = 2000, 3, 50


def check(condition, what):
    if not condition:
        sys.exit("kafka-python: " + what)


def main(bootstrap):
    topic = "kp-" + uuid.uuid4().hex[:8]
    group = "g-" + topic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=5)
    sent = [producer.send(topic, key=b"k%d" % (i % KEYS), value=b"v%d" % i) for i in range(RECORDS)]
    producer.flush(30)
    for future in sent:
        future.get(10)
    producer.close()

    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=15000)
    by_key, read = {}, 0
    for m in consumer:
        by_key.setdefault(m.key, []).append(int(m.value[1:]))
        read += 1
        if read == RECORDS:
            break
    check(read == RECORDS, "read %d of %d records" % (read, RECORDS))
    for key, seqs in by_key.items():
        check(seqs == sorted(seqs), "key %s out of order" % key)
    consumer.commit()
    committed = sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in range(PARTITIONS))
    check(committed == RECORDS, "committed %d" % committed)
    consumer.close()

    check((group, "consumer") in admin.list_consumer_groups(), "group %s not listed" % group)
    admin.delete_topics([topic])
    admin.close()
    print("kafka-python OK", read)


if __name__ == "__main__":
    main(sys.argv[1])

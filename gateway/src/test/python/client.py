# kafka-python (a pure Python Kafka client, Debian's python3-kafka) through the gateway, for KafkaPythonIT.
# usage: /usr/bin/python3 client.py '<json settings>'; prints one JSON object with what happened, or exits 1 with the
# error.
#   settings: brokers, username, password (SCRAM-SHA-512), topic, deniedTopic, groupId, count;
#             caFile (optional): TLS, trusting this CA
import json
import sys
import time

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

settings = json.loads(sys.argv[1])
common = dict(
    bootstrap_servers=settings["brokers"],
    client_id="warden-kafka-python",
    security_protocol="SASL_SSL" if settings.get("caFile") else "SASL_PLAINTEXT",
    sasl_mechanism="SCRAM-SHA-512",
    sasl_plain_username=settings["username"],
    sasl_plain_password=settings["password"],
)
if settings.get("caFile"):
    common["ssl_cafile"] = settings["caFile"]
topic = settings["topic"]
count = settings["count"]


def main():
    out = {"version": kafka.__version__}
    admin = KafkaAdminClient(**common)
    out["brokers"] = sorted("%s:%d" % (b["host"], b["port"]) for b in admin.describe_cluster()["brokers"])
    out["topics"] = sorted(admin.list_topics())

    half = count // 2
    for compression, values in ((None, range(half)), ("gzip", range(half, count))):
        producer = KafkaProducer(acks="all", compression_type=compression, **common)
        for i in values:
            producer.send(topic, key=b"k%d" % (i % 4), value=b"message-%d" % i).get(timeout=30)
        producer.close()
    producer = KafkaProducer(acks="all", max_block_ms=10000, **common)
    try:
        producer.send(settings["deniedTopic"], value=b"not allowed").get(timeout=30)
        out["denied"] = "none"
    except KafkaError as e:
        out["denied"] = type(e).__name__
    producer.close()

    consumer = KafkaConsumer(topic, group_id=settings["groupId"], auto_offset_reset="earliest",
                             enable_auto_commit=False, **common)
    consumed = []
    deadline = time.monotonic() + 60
    while len(consumed) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            consumed.extend(r.value.decode() for r in records)
    consumer.commit()
    consumer.close()
    out["consumed"] = sorted(consumed)
    offsets = admin.list_consumer_group_offsets(settings["groupId"])
    out["committed"] = sum(o.offset for tp, o in offsets.items() if tp.topic == topic)

    # a new member of the group starts from the committed offsets: nothing is left to read
    again = KafkaConsumer(topic, group_id=settings["groupId"], auto_offset_reset="earliest",
                          enable_auto_commit=False, **common)
    read = 0
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        read += sum(len(records) for records in again.poll(timeout_ms=500).values())
    out["assignedAgain"] = len(again.assignment())
    out["readAgain"] = read
    again.close()
    admin.close()
    print(json.dumps(out))


try:
    main()
except Exception as e:  # the test shows this line
    print("kafka-python failed: %s: %s" % (type(e).__name__, e), file=sys.stderr)
    sys.exit(1)

#!/usr/bin/python3
"""Produces messages.py's records with confluent-kafka (librdkafka) or kafka-python.
usage: produce_python.py confluent|kafka-python BOOTSTRAP TOPIC CODEC"""
import sys

from messages import messages

lib, bootstrap, topic, codec = sys.argv[1:5]
if lib == "confluent":
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "client.id": "confluent", "compression.type": codec,
                  "linger.ms": 200, "batch.num.messages": 100000, "enable.idempotence": False})
    for i, (k, v) in enumerate(messages()):
        p.produce(topic, key=k.encode(), value=v, headers=[("h", str(i).encode())], timestamp=1700000000000 + i)
    assert p.flush(30) == 0
else:
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, client_id="kafka-python", compression_type=None if codec == "none" else codec,
                      api_version=(2, 1, 0), linger_ms=200, batch_size=1000000)
    for i, (k, v) in enumerate(messages()):
        p.send(topic, key=k.encode(), value=v, headers=[("h", str(i).encode())], timestamp_ms=1700000000000 + i)
    p.flush(30)
    p.close()

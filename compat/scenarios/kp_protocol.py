"""Requests kafka-python 2.0.2 has no public API for, declared with its own protocol layer
(kafka.protocol.types) and sent through KafkaAdminClient's connection. Only the non-flexible
v0 layouts, which the protocol schemas define and every Kafka since 1.1/2.3 accepts."""
from kafka.protocol.api import Request, Response
from kafka.protocol.types import Array, Boolean, Int8, Int16, Int32, Int64, Schema, String


class DeleteRecordsResponse_v0(Response):
    API_KEY = 21
    API_VERSION = 0
    SCHEMA = Schema(
        ('throttle_time_ms', Int32),
        ('topics', Array(
            ('name', String('utf-8')),
            ('partitions', Array(('partition_index', Int32), ('low_watermark', Int64), ('error_code', Int16))))))


class DeleteRecordsRequest_v0(Request):
    API_KEY = 21
    API_VERSION = 0
    RESPONSE_TYPE = DeleteRecordsResponse_v0
    SCHEMA = Schema(
        ('topics', Array(
            ('name', String('utf-8')),
            ('partitions', Array(('partition_index', Int32), ('offset', Int64))))),
        ('timeout_ms', Int32))


class IncrementalAlterConfigsResponse_v0(Response):
    API_KEY = 44
    API_VERSION = 0
    SCHEMA = Schema(
        ('throttle_time_ms', Int32),
        ('responses', Array(
            ('error_code', Int16), ('error_message', String('utf-8')),
            ('resource_type', Int8), ('resource_name', String('utf-8')))))


class IncrementalAlterConfigsRequest_v0(Request):
    API_KEY = 44
    API_VERSION = 0
    RESPONSE_TYPE = IncrementalAlterConfigsResponse_v0
    SCHEMA = Schema(
        ('resources', Array(
            ('resource_type', Int8), ('resource_name', String('utf-8')),
            ('configs', Array(('name', String('utf-8')), ('config_operation', Int8), ('value', String('utf-8')))))),
        ('validate_only', Boolean))


OP_SET, OP_DELETE, OP_APPEND, OP_SUBTRACT = 0, 1, 2, 3
RESOURCE_TOPIC = 2


def send(admin, request, node_id=None):
    """Send to node_id (default: the controller) and wait for the decoded response."""
    if node_id is None:
        node_id = admin._controller_id  # noqa: SLF001 — kafka-python exposes no public send
    future = admin._send_request_to_node(node_id, request)
    admin._wait_for_futures([future])
    return future.value


def api_versions(admin):
    """{api_key: (min, max)} as the broker advertised them to kafka-python."""
    return admin._client.get_api_versions() or {}  # noqa: SLF001

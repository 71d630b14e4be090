#!/usr/bin/python3
"""confluent-kafka-python (librdkafka underneath) against a broker: one JSON line per check."""
import ck_core    # noqa: F401  issue 2 (registers checks)
import ck_groups  # noqa: F401  issue 3
import ck_admin   # noqa: F401  issue 4
from compat_lib import main

if __name__ == '__main__':
    main('confluent-kafka-python', __doc__)

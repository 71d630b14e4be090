#!/usr/bin/python3
"""kafka-python (pure Python) against a broker: one JSON line per check."""
import kp_core    # noqa: F401  issue 2 (registers checks)
import kp_groups  # noqa: F401  issue 3
import kp_admin   # noqa: F401  issue 4
from compat_lib import main

if __name__ == '__main__':
    main('kafka-python', __doc__)

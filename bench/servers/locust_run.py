"""
Starts Locust like the `locust` command, with one fix for Debian's python3-locust 2.12.1: the
package reports its version as '' and its master then refuses every worker as "an old (pre 2.0)
worker", so distributed runs (one worker process per core) cannot start. This sets the version
before Locust starts; nothing else changes.
"""
import sys

import locust
import locust.runners

VERSION = locust.__version__ or "2.12.1"
locust.__version__ = VERSION
locust.runners.__version__ = VERSION

from locust.main import main  # noqa: E402

sys.exit(main())

"""The image's HEALTHCHECK: exit 0 when /health answers 200. Python's standard library, so no curl."""

import os
import sys
import urllib.request

try:
    with urllib.request.urlopen(f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health", timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    sys.exit(f"unhealthy: {error}")

"""gunicorn's settings for the sample app's images; the environment can override each."""

import os

# 0.0.0.0: inside a container, 127.0.0.1 would be reachable only from the container itself.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Make the app once, before forking the workers, so they share its in-memory counter.
preload_app = True
# Heartbeat files in memory, so the container can run with --read-only.
worker_tmp_dir = "/dev/shm"
# On SIGTERM (docker stop) finish in-flight requests for at most this long, well under Docker's 10 s.
graceful_timeout = 5
# The app logs one line per request itself; gunicorn's access log would double it.
accesslog = None
errorlog = "-"
# No runtime control socket (gunicornc): it would need a writable home directory, which the
# unprivileged user and a read-only container do not have, and nothing here uses it.
control_socket_disable = True

"""The sample app, observable (chapter 11): Prometheus metrics on /metrics, and LOG_FORMAT=json.

`create_app()` here is app.create_app() with two additions, so app.py and its log lines stay as
chapters 04–10 show them:

- GET /metrics in Prometheus's text format (prometheus_client): requests by method, route and
  status; request latency as a histogram; and whether the counter backend answered its last check.
- LOG_FORMAT=json: the same one line per request, as a JSON object. Unset or `text`: unchanged.

Metrics live in the process: run one gunicorn worker (WEB_CONCURRENCY=1) or use prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR), else each scrape sees one worker's numbers.
"""

import json
import logging
import os
import sys
import time

from app import Config
from app import create_app as create_plain_app
from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LOG_FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """One JSON object per request line: the fields the text line holds, named."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record), "level": record.levelname}
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, status, elapsed_ms = record.args
            line.update(client=client, method=method, path=path, status=status,
                        duration_ms=round(elapsed_ms, 1))
        else:
            line["message"] = record.getMessage()
        return json.dumps(line)


def create_app(config: Config | None = None, log_format: str | None = None) -> Flask:
    """app.create_app(), plus /metrics and the LOG_FORMAT option (read from the environment when None)."""
    log_format = (log_format or os.environ.get("LOG_FORMAT", "text")).lower()
    if log_format not in LOG_FORMATS:
        sys.exit(f"sample app: bad LOG_FORMAT {log_format!r}: use one of {', '.join(LOG_FORMATS)}")
    app = create_plain_app(config)
    if log_format == "json":
        for handler in logging.getLogger("sample_app").handlers:
            handler.setFormatter(JsonFormatter())

    registry = CollectorRegistry()  # one per app: two apps in one test process do not share numbers
    requests = Counter("sample_app_requests", "HTTP requests answered",
                       ["method", "route", "status"], registry=registry)
    latency = Histogram("sample_app_request_duration_seconds", "Time to answer a request",
                        ["route"], registry=registry)
    backend_up = Gauge("sample_app_counter_backend_up",
                       "1 if the visit counter's backend (memory or Redis) answered its last check, else 0",
                       registry=registry)

    @app.before_request
    def start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response):
        route = request.url_rule.rule if request.url_rule else "unmatched"  # bounded label values
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(route).observe(time.perf_counter() - g.get("metrics_started", time.perf_counter()))
        return response

    @app.get("/metrics")
    def metrics():
        ready = app.view_functions["ready"]()
        status = ready[1] if isinstance(ready, tuple) else 200
        backend_up.set(1 if status == 200 else 0)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return app

"""The course's sample app: a visit counter, built to be a good citizen of containers.

Configuration comes only from environment variables (see Config); every error is JSON with a
4xx or 503 status, never an HTML traceback; each request is logged as one line on stdout.
"""

import logging
import os
import socket
import sys
import time
from dataclasses import dataclass

from counters import CounterUnavailable, MemoryCounter, RedisCounter
from flask import Flask, g, jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException

MAX_VISITS_PER_POST = 100
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Config:
    """Everything the app can be told, with defaults that just work for a lone `docker run`."""

    port: int = 8000
    log_level: str = "INFO"
    redis_url: str = ""             # empty: count in memory
    app_version: str = "dev"
    max_body_bytes: int = 1024      # larger request bodies get 413
    redis_timeout_s: float = 1.0

    @classmethod
    def from_env(cls, environ=os.environ) -> "Config":
        """Read the environment; a bad value stops the app with one line that says what is expected."""
        try:
            config = cls(port=int(environ.get("PORT", cls.port)),
                         log_level=environ.get("LOG_LEVEL", cls.log_level).upper(),
                         redis_url=environ.get("REDIS_URL", cls.redis_url),
                         app_version=environ.get("APP_VERSION", cls.app_version),
                         max_body_bytes=int(environ.get("MAX_BODY_BYTES", cls.max_body_bytes)),
                         redis_timeout_s=float(environ.get("REDIS_TIMEOUT_S", cls.redis_timeout_s)))
        except ValueError as error:
            sys.exit(f"sample app: bad configuration ({error}): PORT and MAX_BODY_BYTES take integers, "
                     "REDIS_TIMEOUT_S a number of seconds")
        if config.log_level not in LOG_LEVELS:
            sys.exit(f"sample app: bad LOG_LEVEL {config.log_level!r}: use one of {', '.join(LOG_LEVELS)}")
        if config.redis_url and not config.redis_url.startswith(("redis://", "rediss://", "unix://")):
            sys.exit(f"sample app: bad REDIS_URL {config.redis_url!r}: use redis://HOST:PORT/DB")
        return config


HOME_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sample app</title></head>
<body>
  <h1>Hello from container {{ hostname }}</h1>
  <p>Version <strong>{{ version }}</strong> · this page has been visited <strong>{{ visits }}</strong> times
     (counted in {{ counter }}).</p>
</body></html>
"""


def error(status: int, message: str, **details):
    response = jsonify(error=message, status=status, **details)
    response.status_code = status
    return response


def create_app(config: Config | None = None) -> Flask:
    """The app factory: `create_app()` reads the environment; tests pass a Config."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    counter = RedisCounter(config.redis_url, config.redis_timeout_s) if config.redis_url else MemoryCounter()
    log = _request_logger(config.log_level)

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info('%s "%s %s" %s %.1fms', request.remote_addr, request.method, request.full_path.rstrip("?"),
                 response.status_code, elapsed_ms)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exception: HTTPException):
        response = error(exception.code, exception.name.lower(), detail=exception.description)
        # Keep the exception's own headers, such as 405's Allow, but answer in JSON.
        for name, value in exception.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(CounterUnavailable)
    def counter_unavailable(exception: CounterUnavailable):
        return error(503, "counter unavailable", detail=str(exception))

    @app.get("/")
    def home():
        visits = counter.add(1)
        return render_template_string(HOME_PAGE, hostname=socket.gethostname(), version=config.app_version,
                                      visits=visits, counter=counter.kind)

    @app.get("/api/visits")
    def get_visits():
        return jsonify(visits=counter.get(), counter=counter.kind)

    @app.post("/api/visits")
    def add_visits():
        amount = 1
        # A body is optional; when there is one (sized or chunked), it must be a small JSON object.
        # Reading more than MAX_CONTENT_LENGTH raises 413, which the handler above turns into JSON.
        if request.get_data(cache=True):
            if not request.is_json:
                return error(415, "unsupported media type", detail="send the body as application/json")
            body = request.get_json(silent=True)
            if body is None:
                return error(400, "malformed JSON", detail='send valid JSON such as {"by": 1}')
            if not isinstance(body, dict):
                return error(400, "expected a JSON object", detail='send an object such as {"by": 1}')
            amount = body.get("by", 1)
            if type(amount) is not int or not 1 <= amount <= MAX_VISITS_PER_POST:
                return error(400, "invalid 'by'", detail=f"'by' must be an integer from 1 to {MAX_VISITS_PER_POST}")
        return jsonify(visits=counter.add(amount), counter=counter.kind), 201

    @app.get("/health")
    def health():
        """Liveness: the process answers. Cheap, and independent of Redis on purpose."""
        return jsonify(status="ok")

    @app.get("/ready")
    def ready():
        """Readiness: can this instance serve traffic, Redis included?"""
        try:
            counter.check()
        except CounterUnavailable as exception:
            return jsonify(status="unavailable", reason=str(exception)), 503
        return jsonify(status="ready", counter=counter.kind)

    return app


def _request_logger(level: str) -> logging.Logger:
    log = logging.getLogger("sample_app")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.handlers = [handler]  # one handler, whichever app was made last: no doubled lines
    log.setLevel(level)
    log.propagate = False
    return log


if __name__ == "__main__":
    # Flask's development server: fine on a laptop, never in an image (the naive Dockerfile shows why).
    settings = Config.from_env()
    create_app(settings).run(host="0.0.0.0", port=settings.port)

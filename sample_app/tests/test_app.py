"""The sample app with Flask's test client: the factory, every route, every bad input."""

import io
import json
import socket

import pytest
from app import Config, create_app


def test_config_defaults_just_work():
    config = Config.from_env({})
    assert (config.port, config.redis_url, config.app_version) == (8000, "", "dev")


def test_config_reads_the_environment():
    config = Config.from_env({"PORT": "9000", "REDIS_URL": "redis://r:6379/0", "APP_VERSION": "2.0",
                              "LOG_LEVEL": "debug", "MAX_BODY_BYTES": "10"})
    assert (config.port, config.redis_url, config.app_version, config.log_level, config.max_body_bytes) == \
        (9000, "redis://r:6379/0", "2.0", "DEBUG", 10)


@pytest.mark.parametrize("environ, message", [
    ({"PORT": "eighty"}, "PORT and MAX_BODY_BYTES take integers"),
    ({"LOG_LEVEL": "verbose"}, "bad LOG_LEVEL 'VERBOSE': use one of DEBUG"),
    ({"REDIS_URL": "localhost:6379"}, "bad REDIS_URL 'localhost:6379': use redis://HOST:PORT/DB"),
])
def test_bad_configuration_stops_with_one_clear_line(environ, message):
    with pytest.raises(SystemExit, match=message):
        Config.from_env(environ)


def test_factory_gives_independent_apps(config):
    first, second = create_app(config).test_client(), create_app(config).test_client()
    first.post("/api/visits")
    assert second.get("/api/visits").json["visits"] == 0


def test_home_shows_hostname_version_and_count(client):
    client.get("/")
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert socket.gethostname() in text and "1.2.3" in text and "<strong>2</strong> times" in text


def test_visits_get_and_post(client):
    assert client.get("/api/visits").json == {"visits": 0, "counter": "memory"}
    created = client.post("/api/visits")
    assert created.status_code == 201 and created.json["visits"] == 1
    assert client.post("/api/visits", json={"by": 5}).json["visits"] == 6
    assert client.get("/api/visits").json["visits"] == 6


def test_health_and_ready_without_redis(client):
    assert client.get("/health").json == {"status": "ok"}
    assert client.get("/ready").json == {"status": "ready", "counter": "memory"}


def test_each_request_is_one_log_line_on_stdout(capsys, config):
    client = create_app(config).test_client()  # made here, so its log handler writes to the captured stdout
    client.get("/health")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and '"GET /health" 200' in lines[0]


@pytest.mark.parametrize("kwargs, status, message", [
    ({"data": "{not json", "content_type": "application/json"}, 400, "malformed JSON"),
    ({"json": [1, 2]}, 400, "expected a JSON object"),
    ({"json": {"by": "ten"}}, 400, "invalid 'by'"),
    ({"json": {"by": 0}}, 400, "invalid 'by'"),
    ({"json": {"by": True}}, 400, "invalid 'by'"),
    ({"data": "by=1", "content_type": "text/plain"}, 415, "unsupported media type"),
    ({"json": {"by": 1, "padding": "x" * 100}}, 413, "request entity too large"),
])
def test_bad_input_gets_a_clear_json_4xx(client, kwargs, status, message):
    response = client.post("/api/visits", **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["error"] == message and response.json["detail"]


def test_unknown_route_and_wrong_method_are_json(client):
    missing = client.get("/nope")
    assert (missing.status_code, missing.json["error"]) == (404, "not found")
    wrong = client.delete("/api/visits")
    assert (wrong.status_code, wrong.json["error"]) == (405, "method not allowed")
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}, "405 must say which methods are allowed"


def test_a_chunked_body_is_validated_too(client):
    # No Content-Length: the server (gunicorn) marks such a stream terminated, as set here.
    response = client.post("/api/visits", input_stream=io.BytesIO(b"{not json"), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert (response.status_code, response.json["error"]) == (400, "malformed JSON")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def client_without_redis():
    config = Config(redis_url=f"redis://127.0.0.1:{closed_port()}/0", redis_timeout_s=0.2)
    return create_app(config).test_client()


def test_unreachable_redis_makes_ready_503_and_health_stays_200(client_without_redis):
    ready = client_without_redis.get("/ready")
    assert ready.status_code == 503 and ready.json["status"] == "unavailable"
    assert ready.json["reason"].startswith("redis unreachable")
    assert client_without_redis.get("/health").status_code == 200


@pytest.mark.parametrize("method, path", [("get", "/api/visits"), ("post", "/api/visits"), ("get", "/")])
def test_unreachable_redis_is_a_json_503_not_a_500(client_without_redis, method, path):
    response = getattr(client_without_redis, method)(path)
    assert response.status_code == 503
    assert json.loads(response.get_data())["error"] == "counter unavailable"


def test_unexpected_errors_are_json_not_an_html_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.json["error"] == "internal server error"

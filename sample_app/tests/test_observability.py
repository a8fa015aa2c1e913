"""observability.py: /metrics counts requests and the backend's health; LOG_FORMAT=json logs the same line."""

import json
import socket

import pytest
from app import Config
from observability import create_app


def metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_metrics_count_requests_by_route_and_status(config):
    client = create_app(config, log_format="text").test_client()
    client.get("/health")
    client.get("/health")
    client.get("/nope")
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, 'sample_app_requests_total{method="GET",route="/health",status="200"}') == 2
    assert metric(text, 'sample_app_requests_total{method="GET",route="unmatched",status="404"}') == 1
    assert metric(text, 'sample_app_request_duration_seconds_count{route="/health"}') == 2
    assert metric(text, "sample_app_counter_backend_up") == 1


def test_backend_down_shows_as_zero():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = create_app(Config(redis_url=f"redis://127.0.0.1:{port}/0", redis_timeout_s=0.2)).test_client()
    assert metric(client.get("/metrics").get_data(as_text=True), "sample_app_counter_backend_up") == 0


def test_the_routes_of_app_py_answer_as_before(config):
    client = create_app(config).test_client()
    assert client.get("/health").json == {"status": "ok"}
    assert client.post("/api/visits").status_code == 201


def test_default_log_line_is_unchanged(capsys, config):
    client = create_app(config).test_client()
    client.get("/health")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and '"GET /health" 200' in lines[0] and not lines[0].startswith("{")


def test_json_log_is_one_object_per_request(capsys, config):
    client = create_app(config, log_format="json").test_client()
    client.get("/health")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert (line["method"], line["path"], line["status"], line["level"]) == ("GET", "/health", 200, "INFO")


def test_bad_log_format_stops_with_one_clear_line(config):
    with pytest.raises(SystemExit, match="bad LOG_FORMAT 'xml'"):
        create_app(config, log_format="xml")

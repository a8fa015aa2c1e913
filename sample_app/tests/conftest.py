"""Fixtures in the Flask tutorial's style: an app built by the factory with its config passed in."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the app's modules sit beside tests/

from app import Config, create_app  # noqa: E402


@pytest.fixture
def config() -> Config:
    return Config(app_version="1.2.3", max_body_bytes=64)


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()

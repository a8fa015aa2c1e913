"""Where the visit count lives: Redis when REDIS_URL is set, else this process's memory."""

import multiprocessing

import redis


class CounterUnavailable(Exception):
    """The counter's store does not answer; the message says why."""


class MemoryCounter:
    """A count in shared memory: lost when the container stops, and not shared between replicas.

    Shared memory, not a plain int, so that gunicorn's workers, forked after the app is made
    (preload_app), all count into the same place.
    """

    kind = "memory"

    def __init__(self) -> None:
        self._count = multiprocessing.Value("q", 0)

    def get(self) -> int:
        return self._count.value

    def add(self, amount: int) -> int:
        with self._count.get_lock():
            self._count.value += amount
            return self._count.value

    def check(self) -> None:
        """Always ready: nothing outside the process to reach."""


class RedisCounter:
    """A count in Redis: survives restarts of the app and is shared by every replica."""

    kind = "redis"
    KEY = "visits"

    def __init__(self, url: str, timeout_s: float) -> None:
        # Short timeouts: a request waits at most this long for a Redis that went away.
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)

    def _call(self, operation, *args):
        try:
            return operation(*args)
        except redis.RedisError as error:
            raise CounterUnavailable(f"redis unreachable: {error}") from error

    def get(self) -> int:
        return int(self._call(self._client.get, self.KEY) or 0)

    def add(self, amount: int) -> int:
        return self._call(self._client.incrby, self.KEY, amount)

    def check(self) -> None:
        self._call(self._client.ping)

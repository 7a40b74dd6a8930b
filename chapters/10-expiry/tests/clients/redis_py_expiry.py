"""Chapter 10's server with redis-py (Debian's python3-redis): TTLs set and read with
set(ex=, px=), setex, psetex, expire, pexpire, ttl, pttl, persist, getex, and a key gone once
it expires.

Usage: /usr/bin/python3 redis_py_expiry.py PORT. Prints "ok redis-py expiry"; fails with the
reason.
"""
import sys
import time

import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=10)


def wait_until(condition, seconds=10):
    """Polls `condition` until it holds; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


assert r.set("py:ex", "v", ex=100) is True
assert 99 <= r.ttl("py:ex") <= 100
assert 99_000 <= r.pttl("py:ex") <= 100_000
assert r.persist("py:ex") is True
assert r.ttl("py:ex") == -1
assert r.ttl("py:missing") == -2
assert r.expire("py:ex", 50) is True
assert r.expire("py:ex", 10, gt=True) is False
assert r.pexpire("py:ex", 60_000, gt=True) is True
assert 59 <= r.ttl("py:ex") <= 60
assert r.getex("py:ex", persist=True) == b"v"
assert r.ttl("py:ex") == -1
assert r.incr("py:n") == 1 and r.expire("py:n", 100) is True
assert r.incr("py:n") == 2 and r.ttl("py:n") > 0  # INCR keeps it
assert r.setex("py:setex", 100, "v") is True and 99 <= r.ttl("py:setex") <= 100
assert r.psetex("py:psetex", 100_000, "v") is True and 99_000 <= r.pttl("py:psetex") <= 100_000
assert r.set("py:px", "v", px=300) is True
wait_until(lambda: r.get("py:px") is None)
assert r.exists("py:px") == 0
try:
    r.set("py:bad", "v", ex=0)
    raise AssertionError("SET EX 0 was accepted")
except redis.ResponseError as e:
    assert "invalid expire time in 'set' command" in str(e), e
print("ok redis-py expiry")

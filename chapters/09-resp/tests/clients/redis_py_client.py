"""Chapter 9's server with redis-py (Debian's python3-redis): binary values, a pipeline (in a
transaction, redis-py's default, and without), MGET, INCR from several clients at once, WATCH
from several clients at once (redis-py's transaction()), SCAN to the end, and an error as
redis.ResponseError.

Usage: /usr/bin/python3 redis_py_client.py PORT. Prints "ok redis-py"; fails with the reason.
"""
import sys
import threading

import redis

port = int(sys.argv[1])


def connect():
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)


r = connect()
binary = bytes(range(256))  # every byte, \0 \r \n too
assert r.set("py:bin", binary) is True
assert r.get("py:bin") == binary
assert r.get("py:missing") is None

pipe = r.pipeline()  # redis-py's default: MULTI, the commands, EXEC
pipe.set("py:a", "1").set("py:b", "2").get("py:a").incr("py:a")
assert pipe.execute() == [True, True, b"1", 2]
assert r.mget("py:a", "py:nope", "py:b") == [b"2", None, b"2"]
pipe = r.pipeline(transaction=False)  # the commands alone
pipe.incr("py:a").get("py:a")
assert pipe.execute() == [3, b"3"]
pipe = r.pipeline()
pipe.set("py:t", "x").incr("py:t").set("py:u", "y")  # INCR fails; the others still run
results = pipe.execute(raise_on_error=False)
assert results[0] is True and isinstance(results[1], redis.ResponseError) and results[2] is True
try:
    r.pipeline().set("py:v", "1").execute_command("NOSUCHCMD").execute()
    raise AssertionError("a transaction with an unknown command ran")
except redis.ResponseError as e:
    assert "EXECABORT" in str(e) or "unknown command" in str(e), str(e)
assert r.get("py:v") is None

# INCR from several clients at once.
failures = []


def add(times):
    c = connect()
    try:
        for _ in range(times):
            c.incr("py:counter")
    except Exception as e:  # reported below, from the main thread
        failures.append(e)


def run_four(target, times):
    """Runs target(times) in 4 threads at once; fails with what any of them raised."""
    threads = [threading.Thread(target=target, args=(times,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures


run_four(add, 250)
assert r.get("py:counter") == b"1000"

# Optimistic locking from several clients at once: each adds one by GET and SET in a
# transaction on the WATCHed key, and retries when another got there first (WatchError).
# Without WATCH some additions would be lost.


def add_watched(times):
    c = connect()

    def once(pipe):
        n = int(pipe.get("py:watched") or 0)
        pipe.multi()
        pipe.set("py:watched", n + 1)

    try:
        for _ in range(times):
            c.transaction(once, "py:watched")
    except Exception as e:
        failures.append(e)


run_four(add_watched, 100)
assert r.get("py:watched") == b"400", r.get("py:watched")

# SCAN to the end: redis-py reads each cursor with int().
wanted = {f"py:scan:{i}".encode() for i in range(300)}
pipe = r.pipeline(transaction=False)
for key in wanted:
    pipe.set(key, "v")
pipe.execute()
assert set(r.scan_iter(match="py:scan:*", count=17)) == wanted
assert r.dbsize() == 307, r.dbsize()  # bin, a, b, t, u, counter, watched and the 300

# Errors are redis.ResponseError, and the connection goes on.
try:
    r.incr("py:bin")
    raise AssertionError("INCR of a non-number succeeded")
except redis.ResponseError as e:
    assert str(e) == "value is not an integer or out of range" or \
        str(e) == "ERR value is not an integer or out of range", str(e)
try:
    r.execute_command("NOSUCHCMD", "x")
    raise AssertionError("an unknown command succeeded")
except redis.ResponseError as e:
    assert "unknown command 'NOSUCHCMD'" in str(e), str(e)
assert r.ping() is True
info = r.info()
assert info["loading"] == 0 and info["redis_mode"] == "standalone", info
assert r.config_get("save") == {"save": ""}
r.client_setname("py-test")
assert r.client_getname() == "py-test"
print("ok redis-py")

"""Chapter 9's server with redis-py (Debian's python3-redis): binary values, a pipeline, MGET,
INCR from several clients at once, SCAN to the end, and an error as redis.ResponseError.

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

pipe = r.pipeline(transaction=False)  # transaction=True would send MULTI, which vkv lacks
pipe.set("py:a", "1").set("py:b", "2").get("py:a").incr("py:a")
assert pipe.execute() == [True, True, b"1", 2]
assert r.mget("py:a", "py:nope", "py:b") == [b"2", None, b"2"]

# INCR from several clients at once.
failures = []


def add(times):
    c = connect()
    try:
        for _ in range(times):
            c.incr("py:counter")
    except Exception as e:  # reported below, from the main thread
        failures.append(e)


threads = [threading.Thread(target=add, args=(250,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not failures, failures
assert r.get("py:counter") == b"1000"

# SCAN to the end: redis-py reads each cursor with int().
wanted = {f"py:scan:{i}".encode() for i in range(300)}
pipe = r.pipeline(transaction=False)
for key in wanted:
    pipe.set(key, "v")
pipe.execute()
assert set(r.scan_iter(match="py:scan:*", count=17)) == wanted
assert r.dbsize() == 304, r.dbsize()  # bin, a, b, counter and the 300

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

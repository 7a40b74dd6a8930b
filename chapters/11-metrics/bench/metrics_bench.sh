#!/usr/bin/env bash
# Chapter 11's figures, each against a baseline measured in the same run, driving the real
# servers with redis-benchmark on 127.0.0.1:
#
# 1. What the metrics cost: chapter 11's server (`vkv`: every command timed and counted, the
#    sessions' bytes counted, a sampler at 10 Hz) against chapter 10's (`ch10-expiry`, the same
#    server without them). redis-benchmark, 50 clients, pipeline 16, 100-byte values, keys from
#    100,000, SET then GET; the two servers take turns, ROUNDS times, the one not measured
#    stopped (SIGSTOP) so it takes no core. Two measures: requests per second, and the
#    server's CPU time per request (utime + stime from /proc/PID/stat). The ratio is the median
#    of the rounds' (target: the metrics cost at most 3%: ops/s ratio >= 0.97).
# 2. INFO with IDLE (10,000) idle connections open: its latency as redis-benchmark sees it
#    (one client, p50 and p99), next to PING's under the same load, the baseline: what INFO
#    costs beyond a round trip (target: INFO answers in under 1 ms).
#
# Installed as build/bench/ch11-metrics-bench for `make bench`.
#
#   ROUNDS=5 REQUESTS=300000 IDLE=10000 build/bench/ch11-metrics-bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
metered=${VKV_SERVER:-$bin/vkv}
plain=${BASELINE_SERVER:-$bin/ch10-expiry}
rounds=${ROUNDS:-5}
requests=${REQUESTS:-300000}
idle=${IDLE:-10000}
cores=$(nproc)
workers=${VKV_WORKERS:-$(( cores > 1 ? cores - 1 : 1 ))}
tick=$(getconf CLK_TCK)
work=$(mktemp -d "${TMPDIR:-/tmp}/vkv-metrics-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}" $(cat "$work"/*.pid 2>/dev/null); do
    kill -CONT "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../../../common/benchmarking/redis_server.sh
source "@PROJECT_SOURCE_DIR@/common/benchmarking/redis_server.sh"
skip_without_redis_tools
for s in "$metered" "$plain"; do [ -x "$s" ] || { echo "no server at $s (build it)"; exit 1; }; done

# start NAME BINARY: starts BINARY on a free port with an empty directory; prints "PID PORT".
start() {
  "$2" --port 0 --dir "$work/$1" --sync never --workers "$workers" --max-connections $(( idle + 100 )) \
    > "$work/$1.out" 2> "$work/$1.err" &
  local pid=$!
  echo "$pid" > "$work/$1.pid"  # for cleanup: this runs in a subshell
  for _ in $(seq 200); do grep -qs 'listening on' "$work/$1.out" && break; sleep 0.05; done
  local port
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/$1.out" | head -1 | cut -d: -f2)
  [ -n "$port" ] || { echo "$1 did not start:"; cat "$work/$1.out" "$work/$1.err"; exit 1; }
  echo "$pid $port"
}
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# bench PID PORT TEST: "ops_per_s cpu_us_per_request" for redis-benchmark's TEST (set, get).
bench() {
  local before after ops
  before=$(cpu_ticks "$1")
  ops=$(redis-benchmark -h 127.0.0.1 -p "$2" -c 50 -P 16 -d 100 -r 100000 -n "$requests" \
        -t "$3" --csv 2>/dev/null | awk -F'"' 'NR > 1 {print $4; exit}')
  after=$(cpu_ticks "$1")
  awk -v o="$ops" -v t=$(( after - before )) -v hz="$tick" -v n="$requests" \
    'BEGIN { printf "%s %.3f\n", o, t * 1e6 / hz / n }'
}

read -r m_pid m_port < <(start metered "$metered")
read -r p_pid p_port < <(start plain "$plain")
# Both loaded alike, so that GET finds what SET wrote.
for pp in "$m_port" "$p_port"; do
  redis-benchmark -h 127.0.0.1 -p "$pp" -c 50 -P 16 -d 100 -r 100000 -n 200000 -t set -q > /dev/null
done

echo "chapter 11 (metrics) against chapter 10 (none), redis-benchmark -c 50 -P 16 -d 100, $requests requests, $rounds rounds, $workers workers"
for test in set get; do
  : > "$work/ops.$test"; : > "$work/cpu.$test"
  for r in $(seq "$rounds"); do
    kill -STOP "$p_pid"; read -r m_ops m_cpu < <(bench "$m_pid" "$m_port" "$test"); kill -CONT "$p_pid"
    kill -STOP "$m_pid"; read -r p_ops p_cpu < <(bench "$p_pid" "$p_port" "$test"); kill -CONT "$m_pid"
    awk -v a="$m_ops" -v b="$p_ops" 'BEGIN { print a / b }' >> "$work/ops.$test"
    awk -v a="$m_cpu" -v b="$p_cpu" 'BEGIN { print (b > 0 ? a / b : 0) }' >> "$work/cpu.$test"
    echo "  $test round $r: metered $m_ops ops/s, $m_cpu us CPU/request; plain $p_ops ops/s, $p_cpu us CPU/request"
  done
  ops_ratio=$(median $(cat "$work/ops.$test"))
  cpu_ratio=$(median $(cat "$work/cpu.$test"))
  verdict=$(awk -v r="$ops_ratio" 'BEGIN { print (r >= 0.97 ? "met" : "NOT met") }')
  printf "%-4s ops/s with metrics / without: %.3f (median; target >= 0.97: %s); server CPU per request: %.3f\n" \
    "$test" "$ops_ratio" "$verdict" "$cpu_ratio"
done
kill -TERM "$p_pid" 2>/dev/null || true

# 2. INFO beside IDLE idle connections.
"$bin/vkv-bench" --port "$m_port" --idle-connections "$idle" --hold-seconds 60 > "$work/idle.out" &
holder=$!; pids+=("$holder")
for _ in $(seq 600); do grep -q holding "$work/idle.out" 2>/dev/null && break; sleep 0.05; done
clients=$(redis-cli -h 127.0.0.1 -p "$m_port" INFO clients | tr -d '\r' | awk -F: '/^connected_clients/ {print $2}')
# latency CMD: "p50 p99" in ms, one client, 2,000 requests.
latency() {
  redis-benchmark -h 127.0.0.1 -p "$m_port" -c 1 -n 2000 --csv "$@" 2>/dev/null |
    awk -F'"' 'NR > 1 {print $10, $14; exit}'
}
read -r info_p50 info_p99 < <(latency INFO)
read -r ping_p50 ping_p99 < <(latency PING)
kill "$holder" 2>/dev/null || true
verdict=$(awk -v p="$info_p99" 'BEGIN { print (p < 1.0 ? "met" : "NOT met") }')
echo "INFO with $clients connections open: p50 $info_p50 ms, p99 $info_p99 ms (target < 1 ms: $verdict); PING beside it: p50 $ping_p50 ms, p99 $ping_p99 ms"

#!/usr/bin/env bash
# Chapter 12's figure: requests per second through nutcracker to three vkv nodes, against the
# same requests to one node directly, in the same run (redis-benchmark, 50 clients, 100-byte
# values, keys from 100,000, SET then GET, at pipeline 1 and 16; the two take turns, ROUNDS
# times; the ratio is the median of the rounds').
#
# On one small machine the proxy can only cost: the nodes, the proxy and redis-benchmark all
# share the same two cores, so three nodes add no cores, and every request crosses loopback
# twice. The page says what changes on N machines.
#
# Installed as build/bench/ch12-proxy-bench for `make bench`.
#
#   ROUNDS=3 REQUESTS=200000 build/bench/ch12-proxy-bench
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
rounds=${ROUNDS:-3}
requests=${REQUESTS:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/vkv-proxy-bench.XXXXXX")
cleanup() { "$bin/vkv-cluster" stop --dir "$work/cluster" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# shellcheck source=../../../common/benchmarking/redis_server.sh
source "@PROJECT_SOURCE_DIR@/common/benchmarking/redis_server.sh"
skip_without_redis_tools
command -v nutcracker >/dev/null || [ -x /usr/sbin/nutcracker ] ||
  { echo "nutcracker is not installed: the benchmark is skipped (apt-get install nutcracker)"; exit 0; }

proxy=$("$bin/ch12-cluster" free-port)
VKV_ARGS="--sync never" "$bin/vkv-cluster" start --nodes 3 --port "$proxy" --dir "$work/cluster" > /dev/null
node=$(cat "$work/cluster/node-1.port")

# ops PORT TEST PIPELINE: requests per second.
ops() {
  redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -P "$3" -d 100 -r 100000 -n "$requests" -t "$2" \
    --csv 2>/dev/null | awk -F'"' 'NR > 1 {print $4; exit}'
}

echo "through nutcracker to 3 nodes / one node direct, redis-benchmark -c 50 -d 100, $requests requests, $rounds rounds"
printf "%-6s %-9s %14s %14s %7s\n" test pipeline proxy direct ratio
for pipeline in 1 16; do
  for test in set get; do
    : > "$work/ratios"; : > "$work/p"; : > "$work/d"
    for _ in $(seq "$rounds"); do
      p=$(ops "$proxy" "$test" "$pipeline"); d=$(ops "$node" "$test" "$pipeline")
      echo "$p" >> "$work/p"; echo "$d" >> "$work/d"
      awk -v a="$p" -v b="$d" 'BEGIN { print a / b }' >> "$work/ratios"
    done
    printf "%-6s %-9s %14.0f %14.0f %7.2f\n" "$test" "$pipeline" "$(median $(cat "$work/p"))" \
      "$(median $(cat "$work/d"))" "$(median $(cat "$work/ratios"))"
  done
done

#!/usr/bin/env bash
# vkv against Redis, both measured by Redis's own load generator, redis-benchmark, on
# 127.0.0.1: 50 connections, pipeline 1 and 16, 100-byte values, keys drawn from 100,000
# (-r 100000): SET, GET, INCR, MSET (10 keys) and MGET (10 keys). vkv --sync never against
# Redis with appendonly no, then vkv --sync always against Redis with appendfsync always.
# Installed as build/bench/ch09-redis-benchmark-compare, measuring chapter 9's server
# (VKV_SERVER= another).
#
# Each row is measured ROUNDS times (default 5), the two servers taking turns and swapping
# which goes first each round, as chapter 6's comparison does: the table's ratio is the median
# of the rounds' ratios (vkv / Redis, higher is better for vkv), `rounds` their range, and the
# ops/s columns each server's median.
#
#   REQUESTS=200000 ROUNDS=5 build/bench/ch09-redis-benchmark-compare
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${VKV_SERVER:-$here/../bin/@COMPARE_SERVER@}
requests=${REQUESTS:-200000}
rounds=${ROUNDS:-5}
vkv_args=${VKV_ARGS:-}
# redis-benchmark needs a core of its own: vkv gets the rest (Redis serves on one thread).
cores=$(nproc)
workers=${VKV_WORKERS:-$(( cores > 1 ? cores - 1 : 1 ))}
work=$(mktemp -d "${TMPDIR:-/tmp}/vkv-redis-benchmark.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

for tool in redis-server redis-benchmark redis-cli; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is not installed: the comparison is skipped (apt-get install redis-server redis-tools)"
    exit 0
  fi
done

# start_vkv SYNC: starts vkv on a free port, empty; sets $port.
start_vkv() {
  rm -rf "$work/vkv"; sync
  # shellcheck disable=SC2086
  "$server" --port 0 --dir "$work/vkv" --sync "$1" --workers "$workers" $vkv_args \
    > "$work/vkv.out" 2>&1 &
  pid=$!; pids+=("$pid")
  for _ in $(seq 200); do grep -q 'listening on' "$work/vkv.out" && break; sleep 0.05; done
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/vkv.out" | head -1 | cut -d: -f2)
  [ -n "$port" ] || { echo "vkv did not start:"; cat "$work/vkv.out"; exit 1; }
}
# start_redis APPENDONLY FSYNC: starts redis-server on a free port, empty; sets $port.
# shellcheck source=../../../common/benchmarking/redis_server.sh
source "@PROJECT_SOURCE_DIR@/common/benchmarking/redis_server.sh"
start_redis() { sync; start_redis_server "$1" "$2"; port=$redis_port; pid=$redis_pid; }
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

# load PIPELINE: redis-benchmark against $port; prints "set get incr mset mget" in ops/s.
load() {
  local common=(-h 127.0.0.1 -p "$port" -c 50 -P "$1" -d 100 -r 100000 -n "$requests" --csv)
  redis-benchmark "${common[@]}" -t set,get,incr,mset > "$work/load.csv"
  local mget=(MGET)
  for _ in $(seq 10); do mget+=("key:__rand_int__"); done
  redis-benchmark "${common[@]}" "${mget[@]}" >> "$work/load.csv"
  # "test","rps",...: SET, GET, INCR, "MSET (10 keys)", then the MGET line named by its command.
  awk -F'"' '$2 == "SET" {s = $4} $2 == "GET" {g = $4} $2 == "INCR" {i = $4}
             $2 ~ /^MSET/ {m = $4} $2 ~ /^MGET/ {mg = $4}
             END {print s, g, i, m, mg}' "$work/load.csv"
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
column() { local c=$1; shift; printf '%s\n' "$@" | awk -v c="$c" '{printf "%s ", $c}'; }
row() { # name op "vkv ops..." "redis ops..."
  local -a v r ratios
  read -r -a v <<< "$3"; read -r -a r <<< "$4"
  read -r -a ratios <<< "$(for i in "${!v[@]}"; do echo "${v[$i]} ${r[$i]}"; done |
    awk '$2 > 0 {printf "%s ", $1 / $2}')"
  local spread
  spread=$(printf '%s\n' "${ratios[@]}" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1}
    END {printf "%.2f-%.2f", lo, hi}')
  printf '%-40s %-15s %12.0f %12.0f %7.2f %11s\n' "$1" "$2" "$(median "${v[@]}")" \
    "$(median "${r[@]}")" "$(median "${ratios[@]}")" "$spread"
}

echo "redis-benchmark, 50 clients, 100-byte values, -r 100000, $requests requests per test;" \
     "vkv: $(basename "$server") --workers $workers; $(redis-server --version | cut -d' ' -f1-3)"
printf '%-40s %-15s %12s %12s %7s %11s\n' configuration op "vkv ops/s" "redis ops/s" ratio rounds
for mode in "never no everysec" "always yes always"; do
  read -r sync appendonly fsync <<< "$mode"
  for pipeline in 1 16; do
    vkv_results=(); redis_results=()
    for ((round = 0; round < rounds; ++round)); do
      for turn in 0 1; do
        if (( (round + turn) % 2 == 0 )); then
          start_vkv "$sync"; vkv_results+=("$(load "$pipeline")"); stop
        else
          start_redis "$appendonly" "$fsync"; redis_results+=("$(load "$pipeline")"); stop
        fi
      done
    done
    if [ "$appendonly" = yes ]; then against="appendfsync $fsync"; else against="appendonly no"; fi
    name="sync $sync vs $against, P=$pipeline"
    col=1
    for op in SET GET INCR "MSET (10 keys)" "MGET (10 keys)"; do
      row "$name" "$op" "$(column $col "${vkv_results[@]}")" "$(column $col "${redis_results[@]}")"
      col=$((col + 1))
    done
  done
done

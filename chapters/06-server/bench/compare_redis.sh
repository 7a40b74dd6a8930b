#!/usr/bin/env bash
# vkv against Redis on 127.0.0.1, in one run: 50 connections, pipeline 1 and 16, 100-byte
# values, 100k keys, SET then GET. vkv --sync never against Redis with appendonly no, and vkv
# --sync always against Redis with appendfsync always. Then GETs of keys that live in the
# tables rather than the memtable (load_cold). Then vkv's memory per idle connection, with
# 10,000 idle connections. Installed once per server chapter, as
# build/bench/chNN-server-compare, measuring that chapter's server (VKV_SERVER= another);
# `make bench` runs them all.
#
# Each row is measured ROUNDS times (default 7), the two servers taking turns and swapping
# which goes first each round: this machine's speed drifts by tens of percent from one second
# to the next, and one run of each would let the drift decide a row. A round's two runs are
# seconds apart and see about the same machine, so each round gives a ratio of its own; the
# table's ratio is the median of those, and `rounds` their range. The ops/s and p99 columns
# are each server's median over the rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../bin
server=${VKV_SERVER:-$bin/@COMPARE_SERVER@}
requests=${REQUESTS:-300000}
rounds=${ROUNDS:-7}
# ROWS=cold measures only the in-tables GET row (the others take most of the run's minutes).
rows=${ROWS:-all}
vkv_args=${VKV_ARGS:-}   # more vkv flags, e.g. VKV_ARGS="--memtable-bytes 4M"
# The load generator runs on this machine too and needs a core of its own: vkv gets the rest
# (at least one), as Redis, which serves commands on one thread, needs only one. Set
# VKV_WORKERS=0 for vkv's own default (one worker per core).
cores=$(nproc)
workers=${VKV_WORKERS:-$(( cores > 1 ? cores - 1 : 1 ))}
idle=${IDLE_CONNECTIONS:-10000}
ulimit -n 100000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d "${TMPDIR:-$here}/vkv-compare.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# start_vkv SYNC: starts vkv, sets $vkv_pid and $vkv_port.
start_vkv() {
  # shellcheck disable=SC2086
  "$server" --port 0 --dir "$work/vkv-$1" --sync "$1" --workers "$workers" $vkv_args \
    > "$work/vkv.out" 2>&1 &
  vkv_pid=$!; pids+=("$vkv_pid")
  for _ in $(seq 200); do grep -q 'listening on' "$work/vkv.out" && break; sleep 0.05; done
  vkv_port=$(grep -o '127.0.0.1:[0-9]*' "$work/vkv.out" | head -1 | cut -d: -f2)
}
stop_vkv() { kill -TERM "$vkv_pid"; wait "$vkv_pid" 2>/dev/null || true; }

# start_redis APPENDONLY FSYNC: starts redis-server on a free port, sets $redis_port.
# shellcheck source=../../../common/benchmarking/redis_server.sh
source "@PROJECT_SOURCE_DIR@/common/benchmarking/redis_server.sh"
start_redis() { start_redis_server "$1" "$2"; }
stop_redis() { redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; wait "$redis_pid" 2>/dev/null || true; }

# load PORT PROTOCOL PIPELINE: prints "set_ops get_ops set_p99 get_p99".
load() {
  "$bin/vkv-bench" --port "$1" --protocol "$2" --pipeline "$3" --connections 50 \
    --keys 100000 --value-size 100 --requests "$requests" > "$work/load.out"
  awk '/^SET/ {s=$2; sp=$8} /^GET/ {g=$2; gp=$8} END {print s, g, sp, gp}' "$work/load.out"
}

# load_cold PORT PROTOCOL: the 100k keys SET, then 900k SETs of other keys (120 MB, about
# twice the server's memtable), so that the 100k now live in tables, not in the memtable;
# then GETs of them at P=16. Prints "get_ops get_p99".
load_cold() {
  local common=(--port "$1" --protocol "$2" --pipeline 16 --connections 50 --value-size 100)
  "$bin/vkv-bench" "${common[@]}" --phases set --keys 100000 --requests 300000 > /dev/null
  "$bin/vkv-bench" "${common[@]}" --phases set --keys 1000000 --key-offset 1000000 \
    --requests 900000 > /dev/null
  "$bin/vkv-bench" "${common[@]}" --phases get --keys 100000 --requests "$requests" \
    > "$work/load.out"
  awk '/^GET/ {g=$2; gp=$8} END {print g, 0, gp, 0}' "$work/load.out"
}

if ! command -v redis-server >/dev/null; then
  echo "redis-server is not installed: the comparison is skipped (apt-get install redis-server redis-tools)"
  exit 0
fi

echo "vkv: $(basename "$server") --workers $workers (0: one per core) ${vkv_args:+plus $vkv_args}; $cores cores, one left to the load generator; $(redis-server --version | cut -d' ' -f1-3)"
echo "each row: $rounds rounds, the servers taking turns; ratio: the median of the rounds' ratios (their range under rounds); ops/s and p99: each server's median"
printf '%-44s %-4s %12s %12s %7s %11s %10s %10s\n' "configuration" "op" "vkv ops/s" "redis ops/s" "ratio" "rounds" "vkv p99" "redis p99"
row() { # name op "vkv ops..." "redis ops..." "vkv p99..." "redis p99..."
  local -a v r; read -r -a v <<< "$3"; read -r -a r <<< "$4"
  local vm rm ratio spread
  local -a ratios
  vm=$(median "${v[@]}"); rm=$(median "${r[@]}")
  read -r -a ratios <<< "$(for i in "${!v[@]}"; do echo "${v[$i]} ${r[$i]}"; done |
    awk '{printf "%s ", $1 / $2}')"
  ratio=$(printf '%.2f' "$(median "${ratios[@]}")")
  spread=$(printf '%s\n' "${ratios[@]}" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1}
    END {printf "%.2f-%.2f", lo, hi}')
  # shellcheck disable=SC2086
  printf '%-44s %-4s %12.0f %12.0f %7s %11s %8sms %8sms\n' "$1" "$2" "$vm" "$rm" "$ratio" "$spread" \
    "$(median $5)" "$(median $6)"
}
# measure_vkv SYNC PIPELINE / measure_redis APPENDONLY FSYNC PIPELINE: one round of one server,
# started empty (Redis with appendonly would otherwise reload its file, and vkv would start
# with the last round's tables) and on a quiet disk (`sync`: what came before is written back
# first). Each appends "set get set_p99 get_p99" to $results.
measure_vkv() {
  rm -rf "$work/vkv-$1"; sync
  start_vkv "$1"; vkv_results+=("$(${loader:-load} "$vkv_port" vkv "$2")"); stop_vkv
}
measure_redis() {
  rm -rf "$work/redis"; sync
  start_redis "$1" "$2"; redis_results+=("$(${loader:-load} "$redis_port" resp "$3")"); stop_redis
}
# column COL RESULT...: the COL-th field (1-based) of each round's result, on one line
column() { local c=$1; shift; printf '%s\n' "$@" | awk -v c="$c" '{printf "%s ", $c}'; }
modes=("never no everysec" "always yes always")
[ "$rows" = cold ] && modes=()
for mode in "${modes[@]}"; do
  read -r sync appendonly fsync <<< "$mode"
  for pipeline in 1 16; do
    vkv_results=(); redis_results=()
    for ((round = 0; round < rounds; ++round)); do
      if ((round % 2 == 0)); then
        measure_vkv "$sync" "$pipeline"; measure_redis "$appendonly" "$fsync" "$pipeline"
      else
        measure_redis "$appendonly" "$fsync" "$pipeline"; measure_vkv "$sync" "$pipeline"
      fi
    done
    if [ "$appendonly" = yes ]; then redis_mode="appendfsync $fsync"; else redis_mode="appendonly no"; fi
    name="sync $sync vs $redis_mode, P=$pipeline"
    row "$name" SET "$(column 1 "${vkv_results[@]}")" "$(column 1 "${redis_results[@]}")" \
      "$(column 3 "${vkv_results[@]}")" "$(column 3 "${redis_results[@]}")"
    row "$name" GET "$(column 2 "${vkv_results[@]}")" "$(column 2 "${redis_results[@]}")" \
      "$(column 4 "${vkv_results[@]}")" "$(column 4 "${redis_results[@]}")"
  done
done

# GETs of keys that live in the tables (see load_cold), under sync never / appendonly no.
vkv_results=(); redis_results=()
loader=load_cold
for ((round = 0; round < rounds; ++round)); do
  if ((round % 2 == 0)); then
    measure_vkv never 16; measure_redis no everysec 16
  else
    measure_redis no everysec 16; measure_vkv never 16
  fi
done
loader=load
row "sync never vs appendonly no, P=16, in tables" GET "$(column 1 "${vkv_results[@]}")" \
  "$(column 1 "${redis_results[@]}")" "$(column 3 "${vkv_results[@]}")" \
  "$(column 3 "${redis_results[@]}")"

[ "$rows" = cold ] && exit 0
echo
start_vkv never
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
before=$(rss_kib "$vkv_pid")
"$bin/vkv-bench" --port "$vkv_port" --idle-connections "$idle" --hold-seconds 30 > "$work/idle.out" &
holder=$!; pids+=("$holder")
for _ in $(seq 600); do grep -q holding "$work/idle.out" 2>/dev/null && break; sleep 0.05; done
sleep 0.5
after=$(rss_kib "$vkv_pid")
kill "$holder" 2>/dev/null || true
stop_vkv
awk -v b="$before" -v a="$after" -v n="$idle" 'BEGIN {
  printf "memory per idle connection: %.0f bytes (server RSS %d KiB -> %d KiB with %d idle connections)\n", (a - b) * 1024 / n, b, a, n }'

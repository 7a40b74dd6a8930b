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
#
# With PIPELINES set (`make bench` sets "1 2 4 8 16 32 64"), a sweep follows the table: SET
# and GET at each of those pipeline depths, vkv --sync never against Redis with appendonly no,
# SWEEP_ROUNDS rounds (default 3) taking turns as above, SWEEP_REQUESTS requests a test
# (default 200000; P/8 times that past P=8). It prints requests/s at each depth (the median of
# the rounds) and, from the first depth's runs, the latency percentiles p50, p99 and p99.9,
# and writes them to PLOTS_DIR (default build/bench/plots): ch09-pipeline.dat and
# ch09-latency.dat, drawn by gnuplot (bench/pipeline.gp, bench/latency.gp) as
# ch09-pipeline.svg and ch09-latency.svg. Without gnuplot the data is written and the drawing
# skipped. TABLE=no runs the sweep alone:
#
#   PIPELINES="1 2 4 8 16 32 64" TABLE=no build/bench/ch09-redis-benchmark-compare
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${VKV_SERVER:-$here/../bin/@COMPARE_SERVER@}
requests=${REQUESTS:-200000}
rounds=${ROUNDS:-5}
vkv_args=${VKV_ARGS:-}
table=${TABLE:-yes}
pipelines=${PIPELINES:-}
sweep_rounds=${SWEEP_ROUNDS:-3}
sweep_requests=${SWEEP_REQUESTS:-200000}
plots=${PLOTS_DIR:-$here/plots}
gnuplot_scripts="@CMAKE_CURRENT_SOURCE_DIR@/bench"
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

# The table: every operation, unsynced and synced, at P=1 and P=16.
compare_table() {
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
}

# sweep_load PIPELINE: SET, then GET, at PIPELINE against $port, redis-benchmark's full report
# read for "set_rps get_rps set_p50 set_p99 set_p99.9 get_p50 get_p99 get_p99.9" (latencies in
# ms). p50 and p99 are from its latency summary; p99.9 is the first row of its percentile
# distribution at or above 99.9% (it prints 99.902%).
# Past P=8 a test gets P/8 times SWEEP_REQUESTS, so that it lasts long enough to measure.
sweep_load() {
  local n=$(( sweep_requests * ($1 > 8 ? $1 / 8 : 1) ))
  redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -P "$1" -d 100 -r 100000 -n "$n" \
    -t set,get 2>/dev/null | tr '\r' '\n' > "$work/sweep.out"
  awk '/^====== / {t = $2; dist = 0}
       /^Latency by percentile distribution/ {dist = 1; next}
       /^Cumulative distribution/ {dist = 0}
       dist && /% <= / && !(t in p999) && $1 + 0 >= 99.9 {p999[t] = $3}
       /throughput summary:/ {rps[t] = $3}
       /latency summary/ {summary = 2; next}
       summary == 2 {summary = 1; next}
       summary == 1 {p50[t] = $3; p99[t] = $5; summary = 0}
       END {print rps["SET"], rps["GET"], p50["SET"], p99["SET"], p999["SET"],
                  p50["GET"], p99["GET"], p999["GET"]}' "$work/sweep.out"
}

# draw SCRIPT DATA SVG NOTE: gnuplot draws DATA into SVG with SCRIPT (NOTE: its subtitle, in
# which \n starts a line), or says why it does not.
draw() {
  if ! command -v gnuplot >/dev/null; then
    echo "gnuplot is not installed: $2 written, $3 not drawn (apt-get install gnuplot-nox)"
    return 0
  fi
  gnuplot -e "data='$2'; out='$3'; note=\"$4\"" "$1" && echo "drawn: $3"
}

# The sweep over $pipelines, unsynced: its table, its data files and their charts.
pipeline_sweep() {
  declare -A swept=()  # "vkv 4": one line of sweep_load's fields a round
  local p who
  for ((round = 0; round < sweep_rounds; ++round)); do
    for turn in 0 1; do
      if (( (round + turn) % 2 == 0 )); then start_vkv never; who=vkv
      else start_redis no everysec; who=redis; fi
      for p in $pipelines; do swept["$who $p"]+="$(sweep_load "$p")"$'\n'; done
      stop
    done
  done
  # of SERVER P FIELD: the median over the rounds of field FIELD (1-8) of sweep_load.
  of() {
    local -a values
    mapfile -t values < <(printf '%s' "${swept["$1 $2"]}" | awk -v f="$3" 'NF {print $f}')
    median "${values[@]}"
  }
  mkdir -p "$plots"
  local versions about at_first
  versions="vkv $(basename "$server") --workers $workers, Redis $(redis-server --version |
    cut -d' ' -f3 | tr -d v=)"
  at_first="redis-benchmark: 50 clients, 100-byte values, $sweep_requests requests a test"
  about="$at_first (P/8 times that past P=8), median of $sweep_rounds rounds"
  at_first+=", median of $sweep_rounds rounds"
  echo
  echo "pipeline sweep: $about; vkv --sync never vs Redis appendonly no ($versions)"
  printf '%8s %12s %12s %7s %12s %12s %7s\n' pipeline "vkv SET/s" "redis SET/s" ratio \
    "vkv GET/s" "redis GET/s" ratio
  {
    echo "# $about; vkv --sync never, Redis appendonly no"
    echo "# pipeline vkv_set redis_set vkv_get redis_get (requests/s)"
  } > "$plots/ch09-pipeline.dat"
  for p in $pipelines; do
    local vs rs vg rg
    vs=$(of vkv "$p" 1); rs=$(of redis "$p" 1); vg=$(of vkv "$p" 2); rg=$(of redis "$p" 2)
    echo "$p $vs $rs $vg $rg" >> "$plots/ch09-pipeline.dat"
    printf '%8s %12.0f %12.0f %7.2f %12.0f %12.0f %7.2f\n' "$p" "$vs" "$rs" \
      "$(awk -v a="$vs" -v b="$rs" 'BEGIN {print (b > 0 ? a / b : 0)}')" "$vg" "$rg" \
      "$(awk -v a="$vg" -v b="$rg" 'BEGIN {print (b > 0 ? a / b : 0)}')"
  done
  local first
  first=$(awk '{print $1; exit}' <<< "$pipelines")
  echo
  echo "latency at P=$first (ms): vkv / redis"
  {
    echo "# latency at P=$first (ms), $at_first"
    echo "# percentile vkv redis"
  } > "$plots/ch09-latency.dat"
  local f=3
  for what in "SET p50" "SET p99" "SET p99.9" "GET p50" "GET p99" "GET p99.9"; do
    local v r
    v=$(of vkv "$first" $f); r=$(of redis "$first" $f)
    echo "\"$what\" $v $r" >> "$plots/ch09-latency.dat"
    printf '%-10s %8s %8s\n' "$what" "$v" "$r"
    f=$((f + 1))
  done
  draw "$gnuplot_scripts/pipeline.gp" "$plots/ch09-pipeline.dat" "$plots/ch09-pipeline.svg" \
    "$about\\n$versions"
  draw "$gnuplot_scripts/latency.gp" "$plots/ch09-latency.dat" "$plots/ch09-latency.svg" \
    "P=$first; $at_first\\n$versions"
}

if [ "$table" != no ]; then compare_table; fi
if [ -n "$pipelines" ]; then pipeline_sweep; fi

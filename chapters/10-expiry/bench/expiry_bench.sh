#!/usr/bin/env bash
# Chapter 10's figures, each a ratio against a baseline measured in the same run, driving the
# real server with Redis's own tools (redis-benchmark, redis-cli) on 127.0.0.1:
#
# 1. SET with EX against a plain SET: redis-benchmark, 50 clients, pipeline 16, 100-byte
#    values, each over keys of its own drawn from 100,000 (`ttl:` keys always written with
#    EX, `key:` keys never), both key spaces written once first, so that each measures its
#    steady state: overwriting keys that have deadlines, against keys that have none. The
#    two take turns, ROUNDS times, the one that goes first alternating, and ROUNDS is even
#    (see "Who goes second" below) (target: EX costs at most 1.1x). Two measures of cost:
#    - the server's CPU time per request (utime and stime of /proc/PID/stat, every thread),
#      which is what the EX costs the server. Each run's time runs on until the server is
#      quiet again, so that the flushes and compactions its writes caused are counted in
#      it; the ratio is that of the totals over the rounds, since a run's share of those
#      background jobs depends on where the memtable stood when it began (one round's
#      ratio moves by a third);
#    - ops/s, the median of the rounds' ratios, shown, not judged: on a small machine it also
#      counts the client's own cost of the longer command.
#    The same rounds then run against redis-server (appendonly no), when it is installed, as
#    a reference: what a deadline costs Redis, measured the same way.
# 2. KEYS (1,000,000) keys with TTLs of 1-10 s, loaded with pipelined `SET k v PX <ms>`
#    (redis-cli --pipe): the server's memory (VmRSS) and its data directory (du) are sampled
#    every second until TAIL (30) s after the last deadline, against those of the same server
#    empty, measured first; and the CPU time of the expiry cycle (the tasks named
#    vkv-expiry and vkv-expiry-w, which writes for it) over that window, as a share of one
#    core (targets: memory and disk back within 2x of empty within 30 s; the cycle at most
#    25% of a core).
# 3. GET of 100,000 live keys (no TTL), pipeline 16, while the million keys expire, against
#    the same GETs on a second server loaded alike but with TTLs of an hour. The two take
#    turns, ROUNDS times, the one not measured stopped (SIGSTOP) so that it takes no core;
#    the ratio is the median of the rounds' (target: >= 0.9x). The live keys are deleted once
#    the GETs are done, so that the server sampled in 2 holds, in the end, only what is left
#    of the expired keys.
#
# Who goes second. The flushes and compactions come every few hundred thousand writes and
# land in whichever run is going, and in the runs of 2026-12-03 they fell mostly on a
# round's second run: over seven runs, rounds 3 and 5, where SET EX went second, gave
# 1.15-1.35, round 4, where it went first, 0.96-1.08. With five rounds SET EX went second
# three times and SET twice; an even number gives each kind the second place as often.
#
# Installed as build/bench/ch10-expiry-bench for `make bench`, measuring chapter 10's server;
# another with VKV_SERVER= or as the first argument. A server without expiry (chapter 9's
# rejects EX) gets only what it can answer: the load goes in without TTLs and the expiry
# rows say so, which still exercises the script.
#
#   KEYS=1000000 TAIL=30 ROUNDS=6 REQUESTS=100000 SET_REQUESTS=1000000 SYNC=never \
#     build/bench/ch10-expiry-bench [server]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${1:-${VKV_SERVER:-$here/../bin/@EXPIRY_SERVER@}}
keys=${KEYS:-1000000}
tail_s=${TAIL:-30}
rounds=${ROUNDS:-6}  # even: each kind (each server, for the GETs) goes first in half of them
requests=${REQUESTS:-100000}
# The SET / SET EX rounds' requests each. Flushes and compactions come a memtable at a time,
# and land in whichever round is running: each kind of write must be many memtables' worth,
# in all, for its share of them to be its own (with 300,000 a round, one round's ratio moved
# from 0.82 to 1.77).
set_requests=${SET_REQUESTS:-1000000}
live=${LIVE_KEYS:-100000}
sync=${SYNC:-never}  # the CPU cost of expiry, not the disk's: no fdatasync per write
vkv_args=${VKV_ARGS:-}
cores=$(nproc)
workers=${VKV_WORKERS:-$(( cores > 1 ? cores - 1 : 1 ))}
tick=$(getconf CLK_TCK)
work=$(mktemp -d "${TMPDIR:-/tmp}/vkv-expiry-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# shellcheck source=../../../common/benchmarking/redis_server.sh
source "@PROJECT_SOURCE_DIR@/common/benchmarking/redis_server.sh"
skip_without_redis_tools
[ -x "$server" ] || { echo "no server at $server (build it, or give VKV_SERVER=)"; exit 1; }

# start_server NAME: starts the server on a free port with an empty directory $work/NAME;
# sets $port, $pid and $dir.
start_server() {
  dir=$work/$1
  rm -rf "$dir"; sync
  # shellcheck disable=SC2086
  "$server" --port 0 --dir "$dir" --sync "$sync" --workers "$workers" $vkv_args > "$work/$1.out" 2>&1 &
  pid=$!; pids+=("$pid")
  for _ in $(seq 200); do grep -qs 'listening on' "$work/$1.out" && break; sleep 0.05; done
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/$1.out" | head -1 | cut -d: -f2)
  [ -n "$port" ] || { echo "the server did not start:"; cat "$work/$1.out"; exit 1; }
  note_expiry_tids
}
stop_server() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
disk_kib() { du -sk "$dir" | cut -f1; }
now_ms() { date +%s%3N; }
# The expiry threads of the server at $pid (vkv-expiry, and vkv-expiry-w, which writes for
# it), by thread id, noted once as the server starts (note_expiry_tids, from start_server):
# a thread they start later (a new log's, when their write fills the memtable) is not theirs,
# whatever its name.
declare -A expiry_tids_by_pid=()
note_expiry_tids() {
  local t ids=""
  for t in /proc/"$pid"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in vkv-expiry|vkv-expiry-w) ids+=" ${t##*/}" ;; esac
  done
  expiry_tids_by_pid[$pid]=$ids
}
expiry_tids() { echo "${expiry_tids_by_pid[$pid]:-}"; }
# task_ticks TASK_DIR: the thread's CPU time in clock ticks (utime + stime); 0 once it is gone.
# After "pid (comm) ", the state is field 1: utime and stime are fields 12 and 13.
task_ticks() { sed 's/^.*) //' "$1/stat" 2>/dev/null | awk '{t = $12 + $13} END {print t + 0}'; }
# The expiry threads' CPU time in clock ticks, or nothing if there are none.
expiry_ticks() {
  local id sum=""
  for id in $(expiry_tids); do sum=$(( ${sum:-0} + $(task_ticks "/proc/$pid/task/$id") )); done
  echo "$sum"
}

# The server's CPU time in clock ticks, all threads but the expiry threads.
busy_ticks() {
  local t sum=0 skip
  skip=" $(expiry_tids) "
  for t in /proc/"$pid"/task/*; do
    [[ "$skip" == *" ${t##*/} "* ]] && continue
    sum=$((sum + $(task_ticks "$t")))
  done
  echo "$sum"
}
# The server's CPU time so far, all its threads (those gone too), in nanoseconds.
cpu_ns() { sed 's/^.*) //' "/proc/$pid/stat" | awk -v tick="$tick" '{printf "%.0f", ($12 + $13) * 1e9 / tick}'; }
# cpu_per_request ARGS...: bench ARGS, printing the server's CPU nanoseconds per request
# (what the command costs the server, whatever the client's own speed), then the ops/s.
# The background jobs the run started (flushes, compactions) are counted: the time runs on
# until the server is quiet again.
cpu_per_request() {
  local before after rate
  before=$(cpu_ns); rate=$(requests=$set_requests bench "$@"); wait_quiet; after=$(cpu_ns)
  echo "$(( (after - before) / set_requests )) $rate"
}
# wait_quiet: waits (at most 20 s) until the flushes and compactions the load started are
# done, i.e. until the server, its expiry thread aside, used under 10% of a core for half a
# second, so that the next run finds the store settled.
wait_quiet() {
  local before after
  for _ in $(seq 40); do
    before=$(busy_ticks); sleep 0.5; after=$(busy_ticks)
    (( (after - before) * 10 < tick / 2 )) && return 0
  done
  echo "note: the server was still busy 20 s after the load"
}

# bench ARGS...: redis-benchmark against $port, pipeline 16; prints its ops/s.
bench() {
  redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -P 16 -n "$requests" -r 100000 --csv "$@" |
    awk -F'"' 'NR > 1 && $4 != "" {rps = $4} END {print rps}'
}

# load_keys FIRST_TTL SPREAD: N keys "ttl:<i>" with 100-byte values through redis-cli --pipe,
# each `SET k v PX <FIRST_TTL + i*7919 % (SPREAD+1)>` (no PX when $ttl_ok is no); then the
# live keys "live:<i, 12 digits>" (what redis-benchmark's __rand_int__ makes), no TTL.
value=$(printf 'v%.0s' $(seq 100))
load_keys() {
  awk -v n="$keys" -v first="$1" -v spread="$2" -v ttl_ok="$ttl_ok" -v value="$value" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = "ttl:" i
      if (ttl_ok == "yes") {
        ms = first + (i * 7919) % (spread + 1)
        printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nPX\r\n$%d\r\n%d\r\n",
               length(k), k, length(value), value, length(ms ""), ms
      } else {
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(value), value
      }
    }
  }' | cli --pipe > "$work/pipe.out" 2>&1 || { cat "$work/pipe.out"; exit 1; }
  awk -v n="$live" -v value="$value" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = sprintf("live:%012d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(value), value
    }
  }' | cli --pipe > "$work/pipe.out" 2>&1 || { cat "$work/pipe.out"; exit 1; }
}

# del_live: deletes the live keys (pipelined DELs).
del_live() {
  awk -v n="$live" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = sprintf("live:%012d", i)
      printf "*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n", length(k), k
    }
  }' | cli --pipe > "$work/pipe.out" 2>&1 || { cat "$work/pipe.out"; exit 1; }
}

secs() { awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
row() { printf '%-52s %14s %14s %8s %8s\n' "$@"; }

echo "$(basename "$server") --sync $sync --workers $workers $vkv_args; $keys keys with TTLs, $live live keys," \
     "100-byte values; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

# ---- 1. SET with EX against a plain SET, and the empty server's footprint ----
start_server set
sleep 1
empty_rss=$(rss_kib); empty_disk=$(disk_kib)
ttl_ok=yes
if ! cli SET probe v EX 100 | grep -qx OK; then
  ttl_ok=no
  echo "note: this server rejects SET ... EX (no expiry): the expiry rows are not measured"
fi
cli DEL probe > /dev/null
# set_ex_rounds: the SET / SET EX rounds against the server at $port, whose process is $pid.
# A first pass writes each key space, so that every measured run overwrites keys (none only
# inserts); its figure is not counted. Fills ex, plain (ops/s), ex_cpu, plain_cpu (server CPU
# ns per request) and ratios, cpu_ratios (each round's).
set_ex_rounds() {
  bench SET key:__rand_int__ "$value" > /dev/null
  [ "$ttl_ok" = yes ] && bench SET ttl:__rand_int__ "$value" EX 1000 > /dev/null
  wait_quiet
  ex=(); plain=(); ratios=(); ex_cpu=(); plain_cpu=(); cpu_ratios=()
  local round
  for ((round = 0; round < rounds; ++round)); do
    if ((round % 2 == 0)); then run_plain; run_ex; else run_ex; run_plain; fi
    plain+=("$p"); ex+=("$e"); plain_cpu+=("$pc"); ex_cpu+=("$ec")
    ratios+=("$(ratio "$e" "$p")"); cpu_ratios+=("$(ratio "$ec" "$pc")")
  done
}
run_plain() { read -r pc p < <(cpu_per_request SET key:__rand_int__ "$value"); }
run_ex() {
  if [ "$ttl_ok" = yes ]; then read -r ec e < <(cpu_per_request SET ttl:__rand_int__ "$value" EX 1000)
  else ec=0; e=0; fi
}
sum() { local t=0 x; for x in "$@"; do t=$((t + x)); done; echo "$t"; }
# set_ex_rows WHO TARGET: the two rows of the last set_ex_rounds.
set_ex_rows() {
  row "$1 SET k v EX 1000 vs SET, server CPU ns/request" "$(( $(sum "${ex_cpu[@]}") / rounds ))" \
      "$(( $(sum "${plain_cpu[@]}") / rounds ))" \
      "$(ratio "$(sum "${ex_cpu[@]}")" "$(sum "${plain_cpu[@]}")")" "$2"
  row "$1 SET k v EX 1000 vs SET, ops/s (P=16)" "$(median "${ex[@]}")" "$(median "${plain[@]}")" \
      "$(median "${ratios[@]}")" "shown"
}

set_ex_rounds
stop_server
row figure measured baseline ratio target
if [ "$ttl_ok" = yes ]; then
  set_ex_rows vkv "<= 1.1"
  vkv_cpu_ratios=("${cpu_ratios[@]}"); vkv_ratios=("${ratios[@]}")
  # The same rounds against Redis, for reference: what a deadline costs it.
  if command -v redis-server > /dev/null; then
    start_redis_server no everysec
    saved_pid=$pid saved_port=$port; pid=$redis_pid port=$redis_port
    set_ex_rounds
    set_ex_rows redis "(reference)"
    kill -TERM "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true
    pid=$saved_pid port=$saved_port
  fi
else
  row "SET k v EX 1000 vs SET k v, ops/s (P=16)" "n/a" "$(median "${plain[@]}")" n/a "shown"
fi

# ---- 2 and 3: a million keys expire, beside a server loaded alike whose keys do not ----
# The baseline for 3: the same load, but with TTLs of an hour. It stays up, idle, so that its
# GETs can take turns with the expiring server's while those keys expire.
start_server still
still_pid=$pid; still_port=$port
load_keys 3600000 0
wait_quiet

start_server expiring
exp_pid=$pid; exp_port=$port; exp_dir=$dir
ticks0=$(expiry_ticks); t0=$(now_ms)
load_start=$t0
load_keys 1000 9000
loaded=$(now_ms)
last_deadline=$((loaded + 10000))  # the last SET ran before `loaded`, with at most 10 s
wait_quiet

# 3: GET rounds, the two servers taking turns, swapping which goes first each round; the one
# not measured is stopped (SIGSTOP), so that neither's GETs share the cores with the other's
# background work. The expiring server's stopped time is left out of its CPU share below.
gets_from=$(now_ms)
stopped_ms=0
get_still=(); get_exp=(); get_ratios=()
for ((round = 0; round < rounds; ++round)); do
  for turn in 0 1; do
    if (( (round + turn) % 2 == 0 )); then
      kill -STOP "$exp_pid"; s=$(now_ms)
      pid=$still_pid; port=$still_port; g=$(bench GET live:__rand_int__); get_still+=("$g")
      kill -CONT "$exp_pid"; stopped_ms=$((stopped_ms + $(now_ms) - s))
    else
      kill -STOP "$still_pid"
      pid=$exp_pid; port=$exp_port; g=$(bench GET live:__rand_int__); get_exp+=("$g")
      kill -CONT "$still_pid"
    fi
  done
  get_ratios+=("$(ratio "${get_exp[$round]}" "${get_still[$round]}")")
done
gets_to=$(now_ms)
pid=$still_pid; stop_server
pid=$exp_pid; port=$exp_port; dir=$exp_dir

# 2: what is left once the keys have expired.
del_live  # so that what is left to compare with the empty server is the expired keys' traces
peak_rss=0; peak_disk=0; back_at=""
: > "$work/samples"
while :; do
  now=$(now_ms)
  r=$(rss_kib); d=$(disk_kib)
  ((r > peak_rss)) && peak_rss=$r; ((d > peak_disk)) && peak_disk=$d
  echo "$(( (now - last_deadline) / 1000 )) $r $d" >> "$work/samples"
  if [ -z "$back_at" ] && ((now > last_deadline)) && ((r <= 2 * empty_rss)) && ((d <= 2 * empty_disk)); then
    back_at=$(( (now - last_deadline) / 1000 ))
  fi
  ((now >= last_deadline + tail_s * 1000)) && break
  sleep 1
done
ticks1=$(expiry_ticks); t1=$(now_ms)
end_rss=$r; end_disk=$d
left=$(cli DBSIZE 2>/dev/null | tr -dc 0-9 || true)
stop_server

get_row() {
  row "$1" "$(median "${get_exp[@]}")" "$(median "${get_still[@]}")" "$(median "${get_ratios[@]}")" "$2"
}
if [ "$ttl_ok" = yes ]; then
  row "memory ${tail_s} s after the last deadline vs empty, KiB" "$end_rss" "$empty_rss" \
      "$(ratio "$end_rss" "$empty_rss")" "<= 2"
  row "disk ${tail_s} s after the last deadline vs empty, KiB" "$end_disk" "$empty_disk" \
      "$(ratio "$end_disk" "$empty_disk")" "<= 2"
  if [ -n "$ticks0" ] && [ -n "$ticks1" ]; then
    cpu_ms=$(( (ticks1 - ticks0) * 1000 / tick )); wall_ms=$((t1 - t0 - stopped_ms))
    row "expiry threads' CPU vs one core, over $(secs "$wall_ms") s, ms" "$cpu_ms" "$wall_ms" \
        "$(ratio "$cpu_ms" "$wall_ms")" "<= 0.25"
  else
    row "expiry threads' CPU vs one core" "no thread" "" n/a "<= 0.25"
  fi
  get_row "GET live keys while keys expire vs without, ops/s" ">= 0.9"
else
  row "memory ${tail_s} s after the loads vs empty (no TTLs), KiB" "$end_rss" "$empty_rss" \
      "$(ratio "$end_rss" "$empty_rss")" "n/a"
  row "disk ${tail_s} s after the loads vs empty (no TTLs), KiB" "$end_disk" "$empty_disk" \
      "$(ratio "$end_disk" "$empty_disk")" "n/a"
  get_row "GET live keys, two servers loaded alike, ops/s" "n/a"
fi
echo "vkv SET EX / SET ratios by round: ops/s ${vkv_ratios[*]:-n/a}; server CPU per request ${vkv_cpu_ratios[*]:-n/a}."
echo "GET ratios by round: ${get_ratios[*]}; the GETs ran $(secs $((gets_from - loaded)))" \
     "to $(secs $((gets_to - loaded))) s after the load (TTLs 1-10 s)."
if [ -n "$back_at" ]; then back="$back_at s after the last deadline"; else back="not within $tail_s s"; fi
echo "Load of $keys + $live keys: $(secs $((loaded - load_start))) s; peak memory $peak_rss KiB," \
     "disk $peak_disk KiB; memory and disk back within 2x of empty: $back; keys left: ${left:-?}."
if [ -n "${SAMPLES:-}" ]; then cp "$work/samples" "$SAMPLES"; fi  # s after last deadline, RSS, disk

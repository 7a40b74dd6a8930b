#!/usr/bin/env bash
# vkv-cluster: several vkv servers on loopback, each with its own data directory, behind one
# nutcracker (twemproxy) that spreads the keys over them by consistent hashing. Installed by
# the build as build/bin/vkv-cluster; `make cluster` runs `vkv-cluster run`.
#
#   vkv-cluster start [--nodes 3] [--port 22121] [--dir cluster] [--no-eject] [--retry-ms 2000]
#                                               start, in the background
#   vkv-cluster run   [the same flags]          start; stop everything on Ctrl-C
#   vkv-cluster stop  [--dir cluster]           stop every process it started, by its pid
#   vkv-cluster kill-node I [--dir cluster]     kill -9 node I (to watch the proxy eject it)
#   vkv-cluster restart-node I [--dir cluster]  start node I again, on its port and directory
#   vkv-cluster cli I ARGS... [--dir cluster]   redis-cli to node I directly (not the proxy)
#
# Everything it starts listens on 127.0.0.1 only. The directory keeps each node's data
# (node-I/), its port, pid and log, the proxy's configuration (nutcracker.yml), log and pid.
# --no-eject: a failed node's keys get errors, rather than going to the other nodes.
# --retry-ms: how long the proxy leaves an ejected node out before it tries it again.
# VKV_ARGS adds flags to every node (e.g. VKV_ARGS="--sync never").
set -euo pipefail
bin=$(cd "$(dirname "$0")" && pwd)
vkv=${VKV_SERVER:-$bin/vkv}
tool=$bin/ch12-cluster
nutcracker=${NUTCRACKER:-$(command -v nutcracker || echo /usr/sbin/nutcracker)}
max_nodes=64          # nodes a cluster may have
ready_tries=200       # times 50 ms: how long a node or the proxy may take to be ready
stop_tries=100        # times 50 ms: how long a process may take to stop before kill -9

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
fail() { echo "vkv-cluster: $*" >&2; exit 1; }
say() { echo "vkv-cluster: $*"; }

[ $# -ge 1 ] || usage
command=$1; shift
node=""
case "$command" in
  kill-node|restart-node|cli) [ $# -ge 1 ] || usage; node=$1; shift ;;
esac
nodes=3 port=22121 dir=cluster eject=yes retry_ms=2000 cli_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes|--port|--dir|--retry-ms)
      [ $# -ge 2 ] || { echo "vkv-cluster: $1 needs a value" >&2; usage; }
      case "$1" in
        --nodes) nodes=$2 ;; --port) port=$2 ;; --dir) dir=$2 ;; --retry-ms) retry_ms=$2 ;;
      esac
      shift 2 ;;
    --no-eject) eject=no; shift ;;
    *) if [ "$command" = cli ]; then cli_args+=("$1"); shift
       else echo "vkv-cluster: unknown flag '$1'" >&2; usage; fi ;;
  esac
done
[[ "$nodes" =~ ^[0-9]+$ ]] && [ "$nodes" -ge 1 ] && [ "$nodes" -le "$max_nodes" ] ||
  { echo "vkv-cluster: bad value '$nodes' for --nodes: expected 1 to $max_nodes" >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
  { echo "vkv-cluster: bad value '$port' for --port: expected 1 to 65535" >&2; exit 2; }
[[ "$retry_ms" =~ ^[0-9]{1,9}$ ]] ||
  { echo "vkv-cluster: bad value '$retry_ms' for --retry-ms: expected milliseconds" >&2; exit 2; }

# alive PIDFILE: whether the process it names runs, and is one of ours (vkv or nutcracker:
# a pid may have been reused since). A process that has ended but that nobody has reaped
# yet (a zombie: its parent, this script, has exited) does not count.
alive() {
  [ -f "$1" ] || return 1
  local pid stat
  pid=$(cat "$1")
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$(echo "${stat##*) }" | cut -d' ' -f1)" != Z ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qE 'vkv|nutcracker'
}

# check_node I: I is a node of this cluster, with its port recorded.
check_node() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ -f "$dir/nodes" ] && [ "$1" -ge 1 ] && [ "$1" -le "$(cat "$dir/nodes")" ] ||
    fail "no node '$1' in $dir"
  [ -f "$dir/node-$1.port" ] || fail "node $1 has no port recorded in $dir"
}

# start_node I [PORT]: starts node I on PORT (default: any free port) and its directory;
# waits for its ready line; records its port and pid. Fails if it stops or does not start.
start_node() {
  local i=$1 want=${2:-0} out="$dir/node-$1.out"
  # shellcheck disable=SC2086
  "$vkv" --bind 127.0.0.1 --port "$want" --dir "$dir/node-$i" ${VKV_ARGS:-} > "$out" 2>> "$dir/node-$i.log" &
  echo $! > "$dir/node-$i.pid"
  for _ in $(seq "$ready_tries"); do
    grep -qs 'listening on' "$out" && break
    alive "$dir/node-$i.pid" || break
    sleep 0.05
  done
  local got
  got=$(grep -o '127.0.0.1:[0-9]*' "$out" | head -1 | cut -d: -f2 || true)
  [ -n "$got" ] || { echo "vkv-cluster: node $i did not start:" >&2; tail -5 "$dir/node-$i.log" >&2; return 1; }
  echo "$got" > "$dir/node-$i.port"
}

start() {
  command -v "$nutcracker" >/dev/null || [ -x "$nutcracker" ] ||
    fail "nutcracker is not installed (apt-get install nutcracker)"
  command -v redis-cli >/dev/null || fail "redis-cli is not installed (apt-get install redis-tools)"
  local f
  for f in "$dir"/nutcracker.pid "$dir"/node-*.pid; do
    alive "$f" && fail "already running in $dir (vkv-cluster stop --dir $dir)"
  done
  mkdir -p "$dir"
  trap 'stop; exit 1' ERR  # a start that fails half-way stops what it started
  local servers="" i
  for i in $(seq "$nodes"); do
    start_node "$i"
    servers+="${servers:+,}127.0.0.1:$(cat "$dir/node-$i.port")"
  done
  echo "$nodes" > "$dir/nodes"
  "$tool" config --servers "$servers" --listen "127.0.0.1:$port" --eject "$eject" \
    --retry-ms "$retry_ms" > "$dir/nutcracker.yml"
  "$nutcracker" --test-conf -c "$dir/nutcracker.yml" > "$dir/nutcracker.check" 2>&1 ||
    { echo "vkv-cluster: nutcracker refused its configuration:" >&2; cat "$dir/nutcracker.check" >&2; false; }
  # Its statistics port too on 127.0.0.1 (nutcracker's default is every address).
  "$nutcracker" -c "$dir/nutcracker.yml" -a 127.0.0.1 -s "$("$tool" free-port)" \
    -o "$dir/nutcracker.log" > "$dir/nutcracker.out" 2>&1 &
  echo $! > "$dir/nutcracker.pid"
  # Ready when our nutcracker runs and the port answers: a PONG while ours has died would
  # be another program's on the same port.
  local ready=no
  for _ in $(seq "$ready_tries"); do
    alive "$dir/nutcracker.pid" || break
    if [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && alive "$dir/nutcracker.pid"; then
      ready=yes; break
    fi
    sleep 0.05
  done
  [ "$ready" = yes ] ||
    { echo "vkv-cluster: nutcracker did not start on 127.0.0.1:$port:" >&2; tail -5 "$dir/nutcracker.log" >&2; false; }
  trap - ERR
  say "proxy (nutcracker) on 127.0.0.1:$port; nodes on ${servers//,/ }; data in $dir"
}

stop() {
  local f
  for f in "$dir"/nutcracker.pid "$dir"/node-*.pid; do
    alive "$f" && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$dir"/nutcracker.pid "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    for _ in $(seq "$stop_tries"); do alive "$f" || break; sleep 0.05; done
    if alive "$f"; then
      echo "vkv-cluster: $(basename "$f" .pid) did not stop: killed" >&2
      kill -9 "$(cat "$f")" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

case "$command" in
  start) start ;;
  run)
    start
    say "Ctrl-C stops them all"
    trap 'stop; say stopped; exit 0' INT TERM
    while alive "$dir/nutcracker.pid"; do sleep 1; done
    say "nutcracker stopped: stopping the nodes"; stop ;;
  stop) stop; say "stopped" ;;
  kill-node)
    check_node "$node"
    alive "$dir/node-$node.pid" || fail "node $node is not running"
    kill -9 "$(cat "$dir/node-$node.pid")"; say "node $node killed" ;;
  restart-node)
    check_node "$node"
    alive "$dir/node-$node.pid" && fail "node $node is running"
    start_node "$node" "$(cat "$dir/node-$node.port")" || exit 1
    say "node $node back on 127.0.0.1:$(cat "$dir/node-$node.port")" ;;
  cli) check_node "$node"; redis-cli -p "$(cat "$dir/node-$node.port")" "${cli_args[@]}" ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# vkv-cluster: several vkv servers on loopback, each with its own data directory, behind one
# nutcracker (twemproxy) that spreads the keys over them by consistent hashing. Installed by
# the build as build/bin/vkv-cluster; `make cluster` runs `vkv-cluster run`.
#
#   vkv-cluster start [--nodes 3] [--port 22121] [--dir cluster]   start, in the background
#   vkv-cluster run   [--nodes 3] [--port 22121] [--dir cluster]   start; stop on Ctrl-C
#   vkv-cluster stop  [--dir cluster]                               stop every process it started
#   vkv-cluster kill-node I [--dir cluster]     kill -9 node I (to watch the proxy eject it)
#   vkv-cluster restart-node I [--dir cluster]  start node I again, on its port and directory
#   vkv-cluster cli I ARGS... [--dir cluster]   redis-cli to node I directly (not the proxy)
#
# Everything it starts listens on 127.0.0.1 only. The directory keeps each node's data
# (node-I/), its port and pid, the proxy's configuration (nutcracker.yml), its log and pid.
# VKV_ARGS adds flags to every node (e.g. VKV_ARGS="--sync never").
set -euo pipefail
bin=$(cd "$(dirname "$0")" && pwd)
vkv=${VKV_SERVER:-$bin/vkv}
tool=$bin/ch12-cluster
nutcracker=${NUTCRACKER:-$(command -v nutcracker || echo /usr/sbin/nutcracker)}

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
command=$1; shift
node=""
case "$command" in
  kill-node|restart-node|cli) [ $# -ge 1 ] || usage; node=$1; shift ;;
esac
nodes=3 port=22121 dir=cluster cli_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) if [ "$command" = cli ]; then cli_args+=("$1"); shift; else echo "vkv-cluster: unknown flag '$1'"; usage; fi ;;
  esac
done
[[ "$nodes" =~ ^[0-9]+$ ]] && [ "$nodes" -ge 1 ] && [ "$nodes" -le 64 ] ||
  { echo "vkv-cluster: bad value '$nodes' for --nodes: expected 1 to 64"; exit 2; }

say() { echo "vkv-cluster: $*"; }

# start_node I [PORT]: starts node I on PORT (default: any free port) and its directory;
# waits for its ready line; records its port and pid.
start_node() {
  local i=$1 want=${2:-0} out="$dir/node-$1.out"
  # shellcheck disable=SC2086
  "$vkv" --bind 127.0.0.1 --port "$want" --dir "$dir/node-$i" ${VKV_ARGS:-} > "$out" 2> "$dir/node-$i.log" &
  echo $! > "$dir/node-$i.pid"
  for _ in $(seq 200); do grep -qs 'listening on' "$out" && break; sleep 0.05; done
  local got
  got=$(grep -o '127.0.0.1:[0-9]*' "$out" | head -1 | cut -d: -f2 || true)
  [ -n "$got" ] || { say "node $i did not start:"; cat "$out" "$dir/node-$i.log"; exit 1; }
  echo "$got" > "$dir/node-$i.port"
}

# alive PIDFILE: whether the process it names runs. A process that has ended but that nobody
# has reaped yet (a zombie: its parent, this script, is gone, and some containers' first
# process reaps nothing) does not.
alive() {
  [ -f "$1" ] || return 1
  local stat
  stat=$(cat "/proc/$(cat "$1")/stat" 2>/dev/null) || return 1
  [ "$(echo "${stat##*) }" | cut -d' ' -f1)" != Z ]
}

start() {
  command -v "$nutcracker" >/dev/null || [ -x "$nutcracker" ] ||
    { say "nutcracker is not installed (apt-get install nutcracker)"; exit 1; }
  if alive "$dir/nutcracker.pid"; then say "already running in $dir (vkv-cluster stop --dir $dir)"; exit 1; fi
  mkdir -p "$dir"
  local servers="" i
  for i in $(seq "$nodes"); do
    start_node "$i"
    servers+="${servers:+,}127.0.0.1:$(cat "$dir/node-$i.port")"
  done
  echo "$nodes" > "$dir/nodes"
  "$tool" config --servers "$servers" --listen "127.0.0.1:$port" > "$dir/nutcracker.yml"
  "$nutcracker" --test-conf -c "$dir/nutcracker.yml" > "$dir/nutcracker.check" 2>&1 ||
    { say "nutcracker refused its configuration:"; cat "$dir/nutcracker.check"; stop; exit 1; }
  # Its statistics port too on 127.0.0.1 (nutcracker's default is every address).
  "$nutcracker" -c "$dir/nutcracker.yml" -a 127.0.0.1 -s "$("$tool" free-port)" \
    -o "$dir/nutcracker.log" > "$dir/nutcracker.out" 2>&1 &
  echo $! > "$dir/nutcracker.pid"
  for _ in $(seq 200); do
    [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
    alive "$dir/nutcracker.pid" || { say "nutcracker stopped:"; tail -5 "$dir/nutcracker.log"; stop; exit 1; }
    sleep 0.05
  done
  say "proxy (nutcracker) on 127.0.0.1:$port; nodes on ${servers//,/ }; data in $dir"
}

stop() {
  local f
  for f in "$dir"/nutcracker.pid "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$dir"/nutcracker.pid "$dir"/node-*.pid; do
    [ -f "$f" ] || continue
    for _ in $(seq 100); do alive "$f" || break; sleep 0.05; done
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
    alive "$dir/node-$node.pid" || { say "node $node is not running"; exit 1; }
    kill -9 "$(cat "$dir/node-$node.pid")"; say "node $node killed" ;;
  restart-node)
    if alive "$dir/node-$node.pid"; then say "node $node is running"; exit 1; fi
    start_node "$node" "$(cat "$dir/node-$node.port")"
    say "node $node back on 127.0.0.1:$(cat "$dir/node-$node.port")" ;;
  cli) redis-cli -p "$(cat "$dir/node-$node.port")" "${cli_args[@]}" ;;
  *) usage ;;
esac

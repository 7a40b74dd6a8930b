# Sourced by the benchmark scripts that drive a server with Redis's tools (chapters 6, 9, 10,
# 11 and 12). start_redis_server expects $work (a scratch directory) and
# the array pids (every process started, killed at exit by the caller's trap).
#
# start_redis_server APPENDONLY FSYNC: starts an empty redis-server on 127.0.0.1 and a free
# port, with no snapshots, `appendonly APPENDONLY` and `appendfsync FSYNC`; waits until it
# answers PING; sets $redis_port and $redis_pid. Exits the script when it cannot start.
start_redis_server() {
  rm -rf "$work/redis"; mkdir -p "$work/redis"
  for _ in 1 2 3 4 5; do  # a random port may be taken: try another
    redis_port=$(( 20000 + RANDOM % 20000 ))
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly "$1" \
      --appendfsync "$2" --dir "$work/redis" --logfile "$work/redis.log" &
    redis_pid=$!; pids+=("$redis_pid")
    for _ in $(seq 100); do
      redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$redis_pid" 2>/dev/null || true
  done
  echo "cannot start redis-server (see $work/redis.log)"; exit 1
}

# skip_without_redis_tools: ends the script, as a skipped benchmark (exit 0), when Redis's
# client tools are not installed.
skip_without_redis_tools() {
  local tool
  for tool in redis-benchmark redis-cli; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is not installed: the benchmark is skipped (apt-get install redis-tools)"
      exit 0
    fi
  done
}

# median X...: the middle of the numbers X (of an even count, the lower of the two middle ones).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

#!/usr/bin/env bash
# Ferry on Redis side by side with BullMQ (issue #3): the same workload (no-op handlers, TASKS
# tasks, CONCURRENCY slots, PRODUCERS producers), alternating `ferry bench` and the BullMQ bench
# run by run against one private redis-server, then medians and ratios. Optionally Ferry's Redis
# memory per pending task (MEMORY=1) and its drain with 1M delayed + 1M finished tasks stored
# (DEPTH=1).
#
#   ferry-bench/peers/run-redis.sh [RUNS]          (default 3)
#
# Environment: TASKS (50000), CONCURRENCY (50), PRODUCERS (8), MEMORY (1), MEMORY_TASKS (100000),
# COST (1: Redis commands per task, from INFO commandstats), DEPTH (0; takes a few minutes), SKIP_BUILD (0; 1 reuses ferry-cli/target/ferry.jar),
# REDIS_PORT (default: the first free port from 6390).
#
# The Redis is a redis-server of our own on 127.0.0.1 (no persistence, maxmemory-policy
# noeviction), started here and stopped at the end: the shared Redis on 6379 is never touched,
# so flushing between runs is safe. Results: ferry-bench/target/peers/results/redis-<time>/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUNS="${1:-3}"
TASKS="${TASKS:-50000}"
CONCURRENCY="${CONCURRENCY:-50}"
PRODUCERS="${PRODUCERS:-8}"
MEMORY="${MEMORY:-1}"
MEMORY_TASKS="${MEMORY_TASKS:-100000}"
DEPTH="${DEPTH:-0}"
COST="${COST:-1}"
OUT="$TARGET/results/redis-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$OUT"

build_ferry_jar
snapshot_ferry_jar "$OUT"

# BullMQ's node modules live in the ignored target directory; reinstalled when the lock changes.
NODE_DIR="$TARGET/bullmq"
if ! cmp -s "$BENCH/peers/bullmq/package-lock.json" "$NODE_DIR/package-lock.json" \
    || [ ! -d "$NODE_DIR/node_modules/bullmq" ]; then
  say "installing BullMQ into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  cp "$BENCH/peers/bullmq/package.json" "$BENCH/peers/bullmq/package-lock.json" "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund >&2)
fi

if [ -z "${REDIS_PORT:-}" ]; then
  REDIS_PORT=6390
  while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 \
      || (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; do
    REDIS_PORT=$((REDIS_PORT + 1))
  done
fi
if [ "$REDIS_PORT" = 6379 ]; then
  echo "refusing to use the shared Redis on 6379: this script flushes its Redis" >&2
  exit 1
fi
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --maxmemory-policy noeviction --dir "$OUT" --logfile "$OUT/redis.log" &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done
REDIS="redis://127.0.0.1:$REDIS_PORT"
say "private redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on port $REDIS_PORT; results in $OUT"

flush() { redis-cli -p "$REDIS_PORT" flushall >/dev/null; }

run_ferry() {
  say "run $1: ferry (load $(load1))"
  "$JAVA" -jar "$JAR" bench --broker "$REDIS/0?keyPrefix=bench$1" --tasks "$TASKS" \
      --concurrency "$CONCURRENCY" --producers "$PRODUCERS" --json >"$OUT/ferry-$1.json" 2>"$OUT/ferry-$1.log"
  tail -n 4 "$OUT/ferry-$1.log" | sed 's/^/    /' >&2
  flush
}

run_bullmq() {
  say "run $1: bullmq (load $(load1))"
  NODE_PATH="$NODE_DIR/node_modules" node "$BENCH/peers/bullmq/bench.js" --port "$REDIS_PORT" --db 0 \
      --tasks "$TASKS" --concurrency "$CONCURRENCY" --producers "$PRODUCERS" >"$OUT/bullmq-$1.json" 2>"$OUT/bullmq-$1.log"
  tail -n 4 "$OUT/bullmq-$1.log" | sed 's/^/    /' >&2
  flush
}

for i in $(seq 1 "$RUNS"); do
  # Alternate who goes first, so neither always runs on a machine the other just warmed or loaded.
  if [ $((i % 2)) = 1 ]; then
    run_ferry "$i"; run_bullmq "$i"
  else
    run_bullmq "$i"; run_ferry "$i"
  fi
done

if [ "$RUNS" -gt 0 ]; then
  echo "## Ferry vs BullMQ on Redis: $RUNS runs each, alternating; $TASKS tasks, concurrency $CONCURRENCY, $PRODUCERS producers"
  echo
  node "$BENCH/peers/summarize.js" "$OUT" ferry
fi

if [ "$MEMORY" = 1 ]; then
  say "memory per pending task ($MEMORY_TASKS tasks, payloads of 20 and 100 bytes)"
  flush
  echo
  echo "## Ferry: Redis memory per pending task ($MEMORY_TASKS tasks; INFO memory used_memory delta)"
  "$JAVA" -cp "$JAR" dev.ferry.bench.RedisMemoryBench --redis "$REDIS/0" --tasks "$MEMORY_TASKS" \
      --payload-bytes 20 --payload-bytes 100 | tee "$OUT/memory.json"
  flush
fi

if [ "$COST" = 1 ]; then
  say "cost model: Redis commands and bytes per task, counted by the server"
  flush
  echo
  echo "## Ferry: Redis commands per task (INFO commandstats after CONFIG RESETSTAT; 20,000 tasks per phase)"
  "$JAVA" -cp "$JAR" dev.ferry.bench.RedisCostBench --redis "$REDIS/0" --tasks 20000 --concurrency "$CONCURRENCY" \
      | tee "$OUT/cost.json"
  flush
  echo
  echo "## BullMQ: Redis commands per job (the same count, the same phases)"
  NODE_PATH="$NODE_DIR/node_modules" node "$BENCH/peers/bullmq/bench.js" --cost 1 --port "$REDIS_PORT" --db 0 \
      --tasks 20000 --concurrency "$CONCURRENCY" --producers "$PRODUCERS" 2>/dev/null | tee "$OUT/cost-bullmq.json"
  flush
fi

if [ "$DEPTH" = 1 ]; then
  say "drain with 1,000,000 delayed + 1,000,000 finished tasks stored (minutes)"
  echo
  echo "## Ferry: drain at depth (1,000,000 delayed in the drained queues + 1,000,000 finished), medians of 3"
  "$JAVA" -cp "$JAR" dev.ferry.bench.BenchMain --broker "$REDIS/0?keyPrefix=depth" --tasks "$TASKS" \
      --concurrency "$CONCURRENCY" --producers "$PRODUCERS" --depth-delayed --json >"$OUT/depth.json" 2>"$OUT/depth.log"
  grep -E '^\[(3|5)/5\]' "$OUT/depth.log" || true
  cat "$OUT/depth.json"
  flush
fi

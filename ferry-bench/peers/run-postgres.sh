#!/usr/bin/env bash
# Ferry on PostgreSQL side by side with JobRunr and db-scheduler (issue #4): the same workload
# (no-op handlers, TASKS tasks, CONCURRENCY handler threads, PRODUCERS producers), run by run in
# rotating order against the same PostgreSQL database, then medians and ratios.
#
#   ferry-bench/peers/run-postgres.sh [RUNS]       (default 3)
#   DEPTH=1 ferry-bench/peers/run-postgres.sh 0    (only the depth run)
#
# Environment: PGURL (default: a private server, see below), TASKS (20000), CONCURRENCY (50),
# PRODUCERS (8), POOL (10: every implementation gets a pool of this many connections),
# PEERS ("jobrunr db-scheduler db-scheduler-tuned"; "ferry-nonotify" adds Ferry with notify=false,
# "ferry-other" Ferry from the jar OTHER_JAR, to compare two builds),
# DEPTH (0; 1 adds Ferry's drain with 1M scheduled + 1M finished tasks stored, minutes),
# COST (0; 1 adds Ferry's statements and commits per task; needs a server with pg_stat_statements
# loaded, as the private one then is), SKIP_BUILD (0).
#
# Every run works in a schema of its own (created and dropped by the run): Ferry's schema option,
# the peers' JDBC currentSchema. Peer settings: JobRunr with its shortest allowed poll interval
# (5 s; the default is 15 s), db-scheduler with its defaults (10 s polling, fetch-and-lock-on-
# execute) and "db-scheduler-tuned" (lock-and-fetch polling with SKIP LOCKED, immediate
# execution). The pollers' idle pickup latency is their polling interval by construction, so they
# take only LATENCY_SAMPLES (3) samples. Results: ferry-bench/target/peers/results/postgres-<time>/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUNS="${1:-3}"
TASKS="${TASKS:-20000}"
CONCURRENCY="${CONCURRENCY:-50}"
PRODUCERS="${PRODUCERS:-8}"
POOL="${POOL:-10}"
PEERS="${PEERS:-jobrunr db-scheduler db-scheduler-tuned}"
LATENCY_SAMPLES="${LATENCY_SAMPLES:-3}"
DEPTH="${DEPTH:-0}"
COST="${COST:-0}"
OUT="$TARGET/results/postgres-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$OUT"

# By default a private PostgreSQL cluster (initdb into a temp directory, a free port from 5440,
# stopped and deleted at the end): the shared server on 5432 also serves other people's test
# suites, and every transaction that sends NOTIFY takes one cluster-wide lock at commit, so their
# NOTIFY traffic would queue Ferry's commits behind theirs. PGURL=postgresql://... uses a given
# server instead (for example the shared one: postgresql://postgres@127.0.0.1:5432/test).
if [ -z "${PGURL:-}" ]; then
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL server binaries under /usr/lib/postgresql; set PGURL" >&2; exit 1; }
  PGPORT_PRIVATE=5440
  while (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT_PRIVATE") 2>/dev/null; do PGPORT_PRIVATE=$((PGPORT_PRIVATE + 1)); done
  PGDATA_PRIVATE="$(mktemp -d /tmp/ferry-bench-pg.XXXXXX)"
  PRELOAD=""
  [ "$COST" = 1 ] && PRELOAD="-c shared_preload_libraries=pg_stat_statements"   # only for the cost model
  as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGDATA_PRIVATE"
    as_pg=(runuser -u postgres --)   # initdb refuses to run as root
  fi
  "${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA_PRIVATE/data" -A trust -U postgres --no-sync >"$OUT/initdb.log"
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_PRIVATE/data" -l "$PGDATA_PRIVATE/server.log" -w \
      -o "-p $PGPORT_PRIVATE -k $PGDATA_PRIVATE -c listen_addresses=127.0.0.1 -c max_connections=200 $PRELOAD" start >/dev/null
  trap '"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_PRIVATE/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$PGDATA_PRIVATE"' EXIT
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT_PRIVATE" -U postgres test
  PGURL="postgresql://postgres@127.0.0.1:$PGPORT_PRIVATE/test"
fi

# postgresql://user@host:port/db -> jdbc:postgresql://host:port/db?user=user
hostpart="${PGURL#*://}"
user="postgres"
if [[ "$hostpart" == *@* ]]; then
  user="${hostpart%%@*}"
  hostpart="${hostpart#*@}"
fi
JDBC="jdbc:postgresql://${hostpart%%\?*}?user=$user"
PSQL=(psql "${PGURL%%\?*}" -v ON_ERROR_STOP=1 -qAt)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"


build_ferry_jar
snapshot_ferry_jar "$OUT"
CP_FILE="$TARGET/peers-classpath.txt"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$CP_FILE" ]; then
  say "building the peers (mvn -Ppeers, into ferry-bench/target/peers-java)"
  mkdir -p "$TARGET"
  (cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
      ./mvnw -B -ntp -q -Ppeers -pl ferry-bench -am -DskipTests compile dependency:build-classpath \
      -DincludeScope=runtime -Dmdep.outputFile="$CP_FILE" >&2)
fi
PEER_CP="$BENCH/target/peers-java/classes:$(cat "$CP_FILE")"
say "PostgreSQL $("${PSQL[@]}" -c 'show server_version') at ${PGURL%%\?*}; results in $OUT"

# run_ferry ROUND [NAME [EXTRA_URL_OPTIONS]]
run_ferry() {
  local name="${2:-ferry}" extra="${3:-}"
  local schema="bench_${name//-/_}_$1_$$"
  say "run $1: $name (load $(load1))"
  "$JAVA" -jar "$JAR" bench --broker "$PGURL?schema=$schema&maxConnections=$POOL$extra" --tasks "$TASKS" \
      --concurrency "$CONCURRENCY" --producers "$PRODUCERS" --json >"$OUT/$name-$1.json" 2>"$OUT/$name-$1.log" || true
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $schema CASCADE"
  grep -E '^\[[1-4]/4\]' "$OUT/$name-$1.log" | sed 's/^/    /' >&2 || true
}

run_peer() {
  local peer="$1" round="$2" args=()
  case "$peer" in
    jobrunr) args=(--peer jobrunr --poll-ms 5000 --samples "$LATENCY_SAMPLES") ;;
    db-scheduler) args=(--peer db-scheduler --samples "$LATENCY_SAMPLES") ;;
    db-scheduler-tuned) args=(--peer db-scheduler --tuned --samples 50) ;;
    *) echo "unknown peer $peer" >&2; exit 1 ;;
  esac
  say "run $round: $peer (load $(load1))"
  "$JAVA" -cp "$PEER_CP" dev.ferry.bench.peers.PgPeerBench "${args[@]}" --jdbc "$JDBC" --tasks "$TASKS" \
      --concurrency "$CONCURRENCY" --producers "$PRODUCERS" --pool "$POOL" \
      >"$OUT/$peer-$round.json" 2>"$OUT/$peer-$round.log" || true
  grep -E '^\[[1-4]/4\]' "$OUT/$peer-$round.log" | sed 's/^/    /' >&2 || true
}

read -r -a peers <<<"$PEERS"
impls=(ferry "${peers[@]}")
for i in $(seq 1 "$RUNS"); do
  # Rotate the order run by run, so that no implementation always goes first or last.
  n=${#impls[@]}
  for k in $(seq 0 $((n - 1))); do
    impl="${impls[$(((k + i - 1) % n))]}"
    case "$impl" in
      ferry) run_ferry "$i" ;;
      ferry-nonotify) run_ferry "$i" ferry-nonotify "&notify=false" ;;   # Ferry with LISTEN/NOTIFY off
      ferry-other) JAR_SAVED="$JAR"; JAR="$OTHER_JAR"; run_ferry "$i" ferry-other; JAR="$JAR_SAVED" ;;  # another build (OTHER_JAR)
      *) run_peer "$impl" "$i" ;;
    esac
  done
done

if [ "$RUNS" -gt 0 ]; then
  echo "## Ferry vs ${PEERS// / / } on PostgreSQL: $RUNS runs each, rotating; $TASKS tasks, concurrency $CONCURRENCY, $PRODUCERS producers, pool $POOL"
  echo
  node "$BENCH/peers/summarize.js" "$OUT" ferry
fi

if [ "$COST" = 1 ]; then
  say "cost model: statements and commits per task, from pg_stat_statements"
  echo
  echo "## Ferry: PostgreSQL statements and commits per task (pg_stat_statements; $TASKS tasks per phase)"
  "$JAVA" -cp "$JAR" dev.ferry.bench.PgCostBench --broker "${PGURL%%\?*}" --tasks "$TASKS" \
      --concurrency "$CONCURRENCY" | tee "$OUT/cost.json"
fi

if [ "$DEPTH" = 1 ]; then
  schema="bench_depth_$$"
  say "Ferry: drain with 1,000,000 scheduled + 1,000,000 finished tasks stored (minutes; load $(load1))"
  echo
  echo "## Ferry: drain at depth (1,000,000 delayed in the drained queues + 1,000,000 finished), medians of 3"
  "$JAVA" -cp "$JAR" dev.ferry.bench.BenchMain --broker "$PGURL?schema=$schema&maxConnections=$POOL" \
      --tasks "$TASKS" --concurrency "$CONCURRENCY" --producers "$PRODUCERS" --depth-delayed --json \
      >"$OUT/depth.json" 2>"$OUT/depth.log" || true
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $schema CASCADE"
  grep -E '^\[(3|5)/5\]' "$OUT/depth.log" || tail -n 5 "$OUT/depth.log"
  cat "$OUT/depth.json"
fi

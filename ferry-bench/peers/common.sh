# Shared by run-redis.sh and run-postgres.sh (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/ferry-bench"
TARGET="$BENCH/target/peers"
JAR="$ROOT/ferry-cli/target/ferry.jar"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
  :
elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/javac ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
else
  echo "set JAVA_HOME to a JDK 21 or newer" >&2
  exit 1
fi
JAVA="$JAVA_HOME/bin/java"

say() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Builds ferry-cli/target/ferry.jar (what ./ferry runs) from the current sources, unless SKIP_BUILD=1.
build_ferry_jar() {
  if [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$JAR" ]; then
    return
  fi
  say "building $JAR (SKIP_BUILD=1 to reuse it)"
  (cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
      ./mvnw -B -ntp -q -DskipTests -pl ferry-cli -am package >&2)
}

# Copies ferry.jar into the results directory and points JAR at the copy: a build started by
# someone else during the series (./ferry rebuilds the jar) must not swap classes under a run.
snapshot_ferry_jar() {
  cp "$JAR" "$1/ferry.jar"
  JAR="$1/ferry.jar"
}

# Prints the 1-minute load average: every series records it, the machine is shared.
load1() { cut -d' ' -f1 /proc/loadavg; }

#!/usr/bin/env bash
#
# Usage: scripts/benchmark.sh [--quick] [--sqlite-only]
#
# Builds what it needs, starts etcd, Consul, the REST service and a bare JDK HttpServer with the
# project's own scripts, runs every benchmark of allocator-benchmarks, stops what it started, and
# prints one table. A full run takes about 17 minutes on 2 cores; --quick about 6 (shorter runs, a /20
# instead of the /8 at 50 and 99 %).
#
# --sqlite-only runs only the sqlite section (group commit against one INSERT per fsync and against
# etcd, about 2 minutes).
#
# Results go to target/benchmarks/ of the repository root: figures.tsv (section, figure, value,
# unit), JMH's JSON results, and every tool's raw output.
#
# Environment:
#   ALLOCATOR_BENCH_SKIP_BUILD=1   use the jars already built
#   ALLOCATOR_BENCH_STORE_CP=...   class path put before benchmarks.jar for the drivers, e.g.
#                                  patched store or core classes (default: none)
#   ALLOCATOR_BENCH_JAVA_OPTS=...  extra JVM options for the drivers
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
QUICK=0
SQLITE_ONLY=0
for ARG in "$@"; do
    case "$ARG" in
    --quick) QUICK=1 ;;
    --sqlite-only) SQLITE_ONLY=1 ;;
    *) sed -n '3,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done

OUT="$ROOT/target/benchmarks"
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.tsv "$OUT"/*.json
FIG="$OUT/figures.tsv"
JAR="$ROOT/allocator-benchmarks/target/benchmarks.jar"
REST_JAR="$ROOT/allocator-rest/target/allocator-rest.jar"
NAME="bench-$$"
say() { printf '\n== %s\n' "$*" >&2; }

if [[ "${ALLOCATOR_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    say "building (mvn package -DskipTests) allocator-benchmarks and allocator-rest, with what they need"
    mvn -B -q -DskipTests package -pl allocator-benchmarks,allocator-rest -am
fi
CP="${ALLOCATOR_BENCH_STORE_CP:+$ALLOCATOR_BENCH_STORE_CP:}$JAR"
# shellcheck disable=SC2206
JOPTS=(${ALLOCATOR_BENCH_JAVA_OPTS:-})

PIDS=()
STARTED_ETCD=0
STARTED_CONSUL=0
cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
    ((STARTED_ETCD)) && scripts/etcd.sh stop "$NAME-etcd" >/dev/null 2>&1 || true
    ((STARTED_CONSUL)) && scripts/consul.sh stop "$NAME-consul" >/dev/null 2>&1 || true
}
trap cleanup EXIT

collect() { grep -E '^(FIGURE|NOTE)' "$1" | cut -f2- | tee -a "$FIG" >/dev/null || true; }

# ---------------------------------------------------------------- sqlite: group commit
# The store's files, the raw baseline's and etcd's data all sit on the disk of target/.
say "sqlite: allocation with group commit against one INSERT per fsync'd transaction and against etcd"
ETCD_URL="$(scripts/etcd.sh start "$NAME-etcd" 2>/dev/null | tail -1)"
STARTED_ETCD=1
Q=(); ((QUICK)) && Q=(--quick)
rm -rf "$OUT/sqlite"
java "${JOPTS[@]}" -cp "$CP" net.allocator.benchmarks.SqliteGroupCommitDriver --dir "$OUT/sqlite" --etcd "$ETCD_URL" \
    "${Q[@]}" >"$OUT/sqlite.txt" 2>&1
collect "$OUT/sqlite.txt"
scripts/etcd.sh stop "$NAME-etcd" >/dev/null 2>&1 || true
STARTED_ETCD=0
rm -rf "$OUT/sqlite"

if ((!SQLITE_ONLY)); then
# ---------------------------------------------------------------- in-memory, in-process (JMH)
say "JMH: allocate+release on a /16, one thread"
if ((QUICK)); then JMH_TIME=(-wi 3 -w 1 -i 3 -r 1); else JMH_TIME=(-wi 5 -w 2 -i 5 -r 2); fi
# The headline: three JVMs (which inline differently, by up to 10 %), each warmed for 20 s (G1
# takes that long to settle at this allocation rate), averaged.
if ((QUICK)); then PAIRS_TIME=("${JMH_TIME[@]}"); else PAIRS_TIME=(-f 3 -wi 10 -w 2 -i 5 -r 2); fi
java -jar "$JAR" AllocateReleaseBenchmark "${PAIRS_TIME[@]}" -prof gc -rf json -rff "$OUT/jmh-pairs.json" >"$OUT/jmh-pairs.txt" 2>&1
say "JMH: the same with the throughput collector (ParallelGC)"
java -jar "$JAR" AllocateReleaseBenchmark "${PAIRS_TIME[@]}" -jvmArgsAppend -XX:+UseParallelGC -prof gc \
    -rf json -rff "$OUT/jmh-pairs-parallel.json" >"$OUT/jmh-pairs-parallel.txt" 2>&1
say "JMH: allocation cost against size and fullness"
if ((QUICK)); then
    java -jar "$JAR" AllocationCostBenchmark -wi 2 -w 1 -i 3 -r 1 -p shape=v4-24,v4-20,v4-16 -p full=0,50,99 \
        -rf json -rff "$OUT/jmh-sizes.json" >"$OUT/jmh-sizes.txt" 2>&1
else
    java -jar "$JAR" AllocationCostBenchmark -wi 3 -w 1 -i 5 -r 1 -p shape=v4-24,v4-16,v4-8 -p full=0,50,99 \
        -rf json -rff "$OUT/jmh-sizes.json" >"$OUT/jmh-sizes.txt" 2>&1
    # The flat-cost target compares two of those points, and one JVM each moves by 10 % and more
    # (inlining, heap layout): three more JVMs of each.
    java -jar "$JAR" AllocationCostBenchmark -f 3 -wi 3 -w 1 -i 5 -r 1 -p shape=v4-24 -p full=0 \
        -rf json -rff "$OUT/jmh-flat-small.json" >"$OUT/jmh-flat-small.txt" 2>&1
    java -jar "$JAR" AllocationCostBenchmark -f 3 -wi 3 -w 1 -i 5 -r 1 -p shape=v4-8 -p full=99 \
        -rf json -rff "$OUT/jmh-flat-large.json" >"$OUT/jmh-flat-large.txt" 2>&1
    java -jar "$JAR" AllocationCostBenchmark -wi 3 -w 1 -i 5 -r 1 -p shape=v4-8 -p full=99 -p fill=spread \
        -rf json -rff "$OUT/jmh-spread.json" >"$OUT/jmh-spread.txt" 2>&1
fi
java -jar "$JAR" AllocationCostBenchmark "${JMH_TIME[@]}" -p shape=v6-64 -p full=0 \
    -rf json -rff "$OUT/jmh-v6.json" >"$OUT/jmh-v6.txt" 2>&1
java -cp "$JAR" net.allocator.benchmarks.JmhFigures "$OUT"/jmh-*.json >"$OUT/jmh-figures.txt"
collect "$OUT/jmh-figures.txt"
grep -h '# filled' "$OUT"/jmh-*.txt | sed 's/^# /NOTE\tin-memory (JMH)\t/' >"$OUT/fills.txt" || true
collect "$OUT/fills.txt"

say "in-memory heap, round trips and contention"
java -Xmx8g "${JOPTS[@]}" -cp "$JAR" net.allocator.benchmarks.InMemoryFigures "${Q[@]}" >"$OUT/inmemory.txt" 2>&1
collect "$OUT/inmemory.txt"

# ---------------------------------------------------------------- etcd and Consul
say "etcd: allocation against raw Txn"
ETCD_URL="$(scripts/etcd.sh start "$NAME-etcd" 2>/dev/null | tail -1)"
STARTED_ETCD=1
java "${JOPTS[@]}" -cp "$CP" net.allocator.benchmarks.StoreLoadDriver --store etcd \
    --setting "etcd-endpoints=$ETCD_URL" --server-pid "$(cat "$ROOT/.servers/run/$NAME-etcd/member-1.pid")" \
    "${Q[@]}" >"$OUT/etcd.txt" 2>&1
collect "$OUT/etcd.txt"
say "etcd: a cluster of 64 nodes in one call against 64 single calls"
java "${JOPTS[@]}" -cp "$CP" net.allocator.benchmarks.ClusterCostDriver --store etcd \
    --setting "etcd-endpoints=$ETCD_URL" >"$OUT/cluster-etcd.txt" 2>&1
collect "$OUT/cluster-etcd.txt"
scripts/etcd.sh stop "$NAME-etcd" >/dev/null 2>&1 || true
STARTED_ETCD=0

say "Consul: allocation against raw PUT ?cas=0"
CONSUL_URL="$(scripts/consul.sh start "$NAME-consul" 2>/dev/null | tail -1)"
STARTED_CONSUL=1
java "${JOPTS[@]}" -cp "$CP" net.allocator.benchmarks.StoreLoadDriver --store consul \
    --setting "consul-url=$CONSUL_URL" --server-pid "$(cat "$ROOT/.servers/run/$NAME-consul/member-1.pid")" \
    "${Q[@]}" >"$OUT/consul.txt" 2>&1
collect "$OUT/consul.txt"
say "Consul: a cluster of 64 nodes in one call against 64 single calls"
java "${JOPTS[@]}" -cp "$CP" net.allocator.benchmarks.ClusterCostDriver --store consul \
    --setting "consul-url=$CONSUL_URL" >"$OUT/cluster-consul.txt" 2>&1
collect "$OUT/cluster-consul.txt"
scripts/consul.sh stop "$NAME-consul" >/dev/null 2>&1 || true
STARTED_CONSUL=0

# ---------------------------------------------------------------- REST
wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}
BARE_PORT="$(java -cp "$JAR" net.allocator.benchmarks.FreePort)"
java -Dsun.net.httpserver.nodelay=true -cp "$JAR" net.allocator.benchmarks.BareHttpServer --port "$BARE_PORT" >"$OUT/bare-server.txt" 2>&1 &
PIDS+=($!)
wait_port "$BARE_PORT"
for LOG in info warn; do
    say "REST (in-memory store, --log-level $LOG) against the bare JDK HttpServer"
    REST_PORT="$(java -cp "$JAR" net.allocator.benchmarks.FreePort)"
    java -jar "$REST_JAR" --port "$REST_PORT" --store inmemory --log-level "$LOG" >"$OUT/rest-server-$LOG.txt" 2>&1 &
    REST_PID=$!
    PIDS+=("$REST_PID")
    wait_port "$REST_PORT"
    java "${JOPTS[@]}" -cp "$JAR" net.allocator.benchmarks.HttpLoadDriver --baseline "127.0.0.1:$BARE_PORT" \
        --rest "127.0.0.1:$REST_PORT" --label "inmemory, log $LOG" --callers 64 "${Q[@]}" >"$OUT/rest-$LOG.txt" 2>&1
    collect "$OUT/rest-$LOG.txt"
    kill "$REST_PID" 2>/dev/null || true
    wait "$REST_PID" 2>/dev/null || true
done

fi

# ---------------------------------------------------------------- the table
say "machine"
{
    printf 'machine\tcores\t%s\t\n' "$(nproc)"
    printf 'machine\tCPU\t%s\t\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    printf 'machine\tJDK\t%s\t\n' "$(java -version 2>&1 | sed -n 2p)"
    printf 'machine\tetcd\t%s\t\n' "$( (.servers/bin/etcd --version 2>/dev/null || etcd --version) | head -1)"
    printf 'machine\tConsul\t%s\t\n' "$( (.servers/bin/consul version 2>/dev/null || consul version) | head -1)"
    printf 'machine\tload average at the end\t%s\t\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$FIG"
awk -F'\t' '
    { if ($1 != section) { printf "\n%s\n", $1; section = $1 }
      if (NF >= 4) printf "  %-100s %14s %s\n", $2, $3, $4; else printf "  note: %s\n", $2 }
' "$FIG"
echo
echo "figures: $FIG"

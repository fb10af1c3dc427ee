#!/usr/bin/env bash
#
# Usage: scripts/soak.sh [--operations N] [--minutes M] [--strict] [--test CLASS[#METHOD]]
#
# The reliability soak (allocator-reliability's SoakTest), too long for CI:
#   1. three REST service processes on one etcd, then on one Consul, 64 concurrent HTTP
#      clients, N operations each (default 100000) in a /24 that is exhausted and refilled
#      over and over; then every check of docs/reliability.md;
#   2. a three-member etcd cluster and a three-server Consul cluster under the same load for
#      M minutes each (default 10), with a fault every 20 s (etcd: kill -9 a follower, kill -9
#      the leader, SIGSTOP the leader for 10 s; Consul: restart the leader, restart a follower).
#
# --strict   also fail on the known library bugs listed in docs/reliability.md
#            (ALLOCATOR_RELIABILITY_STRICT=true); by default they are printed and recorded.
# --test     run another test of the module instead (e.g. MultiInstanceTest with
#            ALLOCATOR_MULTI_INSTANCE_OPERATIONS=100000 in the environment).
#
# Builds the service's jar and what the module needs in the same Maven reactor (-am: nothing is
# installed into ~/.m2, so a fresh clone works), then runs everything through
# scripts/with-servers.sh. Measurements go to
# allocator-reliability/target/reliability-logs/measurements.txt, every client's requests to
# allocator-reliability/target/reliability-logs/<Test>/*-attempts.tsv, service logs next to
# them. Takes about N/150 seconds per store for part 1 on a 2-core machine, plus 2 × M minutes.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    sed -n '3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

operations=100000
minutes=10
strict=false
test=SoakTest
while (($# > 0)); do
    case "$1" in
    --operations) (($# >= 2)) || usage; operations=$2; shift 2 ;;
    --minutes) (($# >= 2)) || usage; minutes=$2; shift 2 ;;
    --strict) strict=true; shift ;;
    --test) (($# >= 2)) || usage; test=$2; shift 2 ;;
    -h | --help) sed -n '3,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
    esac
done
[[ "$operations" =~ ^[0-9]+$ ]] || die "--operations must be a whole number, not '$operations'"
[[ "$minutes" =~ ^[0-9]+$ ]] || die "--minutes must be a whole number, not '$minutes'"
((operations >= 100000)) || warn "--operations $operations: the soak is meant to run at least 100000"

cd "$REPO_ROOT"

export ALLOCATOR_SOAK_OPERATIONS="$operations" ALLOCATOR_SOAK_MINUTES="$minutes" ALLOCATOR_RELIABILITY_STRICT="$strict"
info "soak: $test, $operations operations per store, $minutes minutes per cluster, strict=$strict"
# -am builds the service's jar from this tree on the way; -Dtest keeps the other modules' tests from running
exec bash "$SCRIPTS_DIR/with-servers.sh" mvn -B -pl allocator-reliability -am verify \
    -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false

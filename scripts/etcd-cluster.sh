#!/usr/bin/env bash
#
# Usage: scripts/etcd-cluster.sh start|stop [name]       (name defaults to "etcd-cluster")
#        scripts/etcd-cluster.sh restart-member <name> N  (N = 1, 2 or 3)
#
# start           Starts a three-member etcd cluster on 127.0.0.1 (free ports,
#                 static --initial-cluster, members <name>-1..3), waits until
#                 every member is healthy (so a leader exists), and prints the
#                 comma-separated client URLs on stdout. Files in
#                 .servers/run/<name>/:
#                   endpoints      all client URLs, comma-separated
#                   member-N.pid   PID of member N (kill -9 / kill -STOP it)
#                   member-N.url   client URL of member N
#                   member-N.log   log of member N
#                   member-N/      data dir of member N
#                   member-N.args  command line of member N (for restart-member)
# stop            Stops all members and removes .servers/run/<name>/.
# restart-member  Kills member N if it still runs (also when SIGSTOPped), starts
#                 it again with the same flags and data dir so it rejoins, updates
#                 member-N.pid and waits until that member is healthy.
#
# Timeouts: ALLOCATOR_SERVER_START_TIMEOUT (30 s), ALLOCATOR_SERVER_STOP_TIMEOUT
# (10 s). ETCD_EXTRA_ARGS adds flags to every member.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/etcd.sh
source "$SCRIPTS_DIR/lib/etcd.sh"

usage() {
    sed -n '3,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

(($# >= 1)) || usage
case "$1" in
start) (($# <= 2)) || usage; etcd_start "${2:-etcd-cluster}" 3 ;;
stop) (($# <= 2)) || usage; etcd_stop "${2:-etcd-cluster}" ;;
restart-member) (($# == 3)) || usage; etcd_restart_member "$2" "$3" ;;
*) usage ;;
esac

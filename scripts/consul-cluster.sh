#!/usr/bin/env bash
#
# Usage: scripts/consul-cluster.sh start|stop [name]       (name defaults to "consul-cluster")
#        scripts/consul-cluster.sh restart-member <name> N  (N = 1, 2 or 3)
#
# start           Starts three Consul server agents on 127.0.0.1 (nodes
#                 <name>-1..3, -bootstrap-expect=3, -retry-join between them,
#                 distinct free ports per member, DNS/HTTPS/gRPC disabled),
#                 waits until all three know the leader, the leader has three
#                 raft peers and a KV write succeeds, and prints the
#                 comma-separated HTTP URLs on stdout. Files in
#                 .servers/run/<name>/:
#                   urls           all HTTP URLs, comma-separated
#                   url            HTTP URL of member 1
#                   member-N.pid   PID of member N (kill -9 / kill -STOP it)
#                   member-N.url   HTTP URL of member N
#                   member-N.log   log of member N
#                   member-N/      data dir of member N
#                   member-N.args  command line of member N (for restart-member)
# stop            Stops all members and removes .servers/run/<name>/.
# restart-member  Kills member N if it still runs (also when SIGSTOPped), starts
#                 it again with the same flags and data dir so it rejoins,
#                 updates member-N.pid and waits until it sees the leader.
#
# Timeouts: ALLOCATOR_SERVER_START_TIMEOUT (30 s), ALLOCATOR_SERVER_STOP_TIMEOUT
# (10 s). CONSUL_EXTRA_ARGS adds flags to every member.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/consul.sh
source "$SCRIPTS_DIR/lib/consul.sh"

usage() {
    sed -n '3,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

(($# >= 1)) || usage
case "$1" in
start) (($# <= 2)) || usage; consul_start "${2:-consul-cluster}" 3 ;;
stop) (($# <= 2)) || usage; consul_stop "${2:-consul-cluster}" ;;
restart-member) (($# == 3)) || usage; consul_restart_member "$2" "$3" ;;
*) usage ;;
esac

#!/usr/bin/env bash
#
# Usage: scripts/consul.sh start|stop [name]      (name defaults to "consul")
#
# start  Starts a real Consul server agent (not -dev): -server
#        -bootstrap-expect=1, bound to 127.0.0.1, every port free and
#        non-default (HTTP, Serf LAN/WAN, server RPC; DNS, HTTPS and gRPC
#        disabled), update checks off, throwaway data dir. Waits until a
#        leader is elected and a KV write succeeds (timeout
#        $ALLOCATOR_SERVER_START_TIMEOUT, default 30 s), then prints the HTTP
#        URL on stdout. Files in .servers/run/<name>/:
#          url           the HTTP API URL, e.g. http://127.0.0.1:23456
#          member-1.pid  the agent's PID      member-1.log  its log
#          member-1/     its data dir         ports         reserved ports
#        Fails if an instance of that name is already running.
# stop   Stops it (SIGTERM, SIGKILL after $ALLOCATOR_SERVER_STOP_TIMEOUT s,
#        default 10) and removes .servers/run/<name>/. No-op if not running.
#
# Installs the binaries first (scripts/install-servers.sh) if needed.
# CONSUL_EXTRA_ARGS adds flags to the agent.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/consul.sh
source "$SCRIPTS_DIR/lib/consul.sh"

usage() {
    sed -n '3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

(($# >= 1 && $# <= 2)) || usage
name="${2:-consul}"
case "$1" in
start) consul_start "$name" 1 ;;
stop) consul_stop "$name" ;;
*) usage ;;
esac

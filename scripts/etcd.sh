#!/usr/bin/env bash
#
# Usage: scripts/etcd.sh start|stop [name]      (name defaults to "etcd")
#
# start  Starts a single-member etcd on 127.0.0.1 with free ports (never
#        2379/2380) and a throwaway data dir, waits until it is healthy
#        (`etcdctl endpoint health`, timeout $ALLOCATOR_SERVER_START_TIMEOUT,
#        default 30 s), then prints its client URL on stdout. Files in
#        .servers/run/<name>/:
#          endpoints     the client URL, e.g. http://127.0.0.1:23456
#          member-1.pid  the server's PID      member-1.log  its log
#          member-1/     its data dir          ports         reserved ports
#        Fails if an instance of that name is already running.
# stop   Stops it (SIGTERM, SIGKILL after $ALLOCATOR_SERVER_STOP_TIMEOUT s,
#        default 10) and removes .servers/run/<name>/. No-op if not running.
#
# Installs the binaries first (scripts/install-servers.sh) if needed.
# ETCD_EXTRA_ARGS adds flags, e.g. ETCD_EXTRA_ARGS=--unsafe-no-fsync.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/etcd.sh
source "$SCRIPTS_DIR/lib/etcd.sh"

usage() {
    sed -n '3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

(($# >= 1 && $# <= 2)) || usage
name="${2:-etcd}"
case "$1" in
start) etcd_start "$name" 1 ;;
stop) etcd_stop "$name" ;;
*) usage ;;
esac

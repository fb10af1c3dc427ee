#!/usr/bin/env bash
#
# Usage: scripts/with-servers.sh <command> [args...]
#   e.g. scripts/with-servers.sh mvn -B verify
#
# Installs the servers if needed (scripts/install-servers.sh), starts one
# single-member etcd (scripts/etcd.sh) and one single-server Consul
# (scripts/consul.sh) on free loopback ports, runs the command with
#   ALLOCATOR_TEST_ETCD_ENDPOINTS  etcd client URL, e.g. http://127.0.0.1:23456
#   ALLOCATOR_TEST_CONSUL_URL      Consul HTTP URL, e.g. http://127.0.0.1:24567
#   ALLOCATOR_SCRIPTS_DIR          absolute path of scripts/ (tests use it to run
#                                  etcd-cluster.sh / consul-cluster.sh themselves)
# in its environment, and always stops both servers when it ends (also on
# Ctrl-C or SIGTERM). Exits with the command's exit status.
#
# The instances are named etcd-ws<pid> and consul-ws<pid> (.servers/run/...),
# so several runs can share one working tree.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

if (($# == 0)); then
    sed -n '3,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi

etcd_name="etcd-ws$$"
consul_name="consul-ws$$"
stopped=""

# shellcheck disable=SC2317 # called by the EXIT trap
stop_servers() {
    [[ -z "$stopped" ]] || return 0
    stopped=1
    bash "$SCRIPTS_DIR/etcd.sh" stop "$etcd_name" || true &
    bash "$SCRIPTS_DIR/consul.sh" stop "$consul_name" || true &
    wait
}
trap stop_servers EXIT
trap 'exit 130' INT  # replaced below while the command runs
trap 'exit 143' TERM

bash "$SCRIPTS_DIR/install-servers.sh" >&2

# Start both at once; each prints its URL, which we take from its run dir.
bash "$SCRIPTS_DIR/etcd.sh" start "$etcd_name" >/dev/null &
etcd_job=$!
bash "$SCRIPTS_DIR/consul.sh" start "$consul_name" >/dev/null &
consul_job=$!
failed=""
wait "$etcd_job" || failed+=" etcd"
wait "$consul_job" || failed+=" consul"
[[ -z "$failed" ]] || die "could not start:$failed"

export ALLOCATOR_TEST_ETCD_ENDPOINTS ALLOCATOR_TEST_CONSUL_URL ALLOCATOR_SCRIPTS_DIR
ALLOCATOR_TEST_ETCD_ENDPOINTS="$(cat "$SERVERS_RUN/$etcd_name/endpoints")"
ALLOCATOR_TEST_CONSUL_URL="$(cat "$SERVERS_RUN/$consul_name/url")"
ALLOCATOR_SCRIPTS_DIR="$SCRIPTS_DIR"
info "ALLOCATOR_TEST_ETCD_ENDPOINTS=$ALLOCATOR_TEST_ETCD_ENDPOINTS"
info "ALLOCATOR_TEST_CONSUL_URL=$ALLOCATOR_TEST_CONSUL_URL"
info "ALLOCATOR_SCRIPTS_DIR=$ALLOCATOR_SCRIPTS_DIR"

# The command runs as a child that we wait for, so that a SIGTERM/SIGINT to
# this script is handled at once (forwarded as SIGTERM), not only after the
# command has ended. It keeps our stdin (if we have one).
if { true <&0; } 2>/dev/null; then
    "$@" <&0 &
else
    "$@" </dev/null &
fi
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
status=0
while :; do
    wait "$child" && status=0 || status=$?
    pid_alive "$child" || break # else wait was interrupted by a signal
done
exit "$status"

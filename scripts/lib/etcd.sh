# shellcheck shell=bash
#
# etcd instances (one member or a cluster) for scripts/etcd.sh and
# scripts/etcd-cluster.sh. Source after lib/common.sh; sources lib/server.sh.
#
# Layout of .servers/run/<name>/ (N = member number, 1-based):
#   endpoints        client URLs, comma-separated (the one URL for a single member)
#   member-N/        data dir of member N (kept by restart-member)
#   member-N.log     its log (stdout + stderr)
#   member-N.pid     its PID (kill -9 / kill -STOP it to inject faults)
#   member-N.url     its client URL
#   member-N.args    its command line, one argument per line (for restart-member)
#   ports            ports reserved by this instance
#
# Environment: ETCD_EXTRA_ARGS   extra flags for every member, e.g. "--unsafe-no-fsync"

# shellcheck source=scripts/lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/server.sh"

ETCDCTL_TIMEOUTS=(--dial-timeout=1s --command-timeout=2s)

etcd_healthy() { "$SERVERS_BIN/etcdctl" "${ETCDCTL_TIMEOUTS[@]}" --endpoints="$1" endpoint health; }

# One attempt at starting COUNT members on fresh ports.
# Returns 0 when healthy, 2 on a port clash (worth retrying), 1 otherwise.
_etcd_try_start() {
    local name=$1 count=$2 dir i
    dir="$(server_dir "$name")"
    rm -rf "$dir"
    mkdir -p "$dir"
    local ports
    ports="$(with_port_lock alloc_ports "$dir" $((2 * count)))"
    read -r -a ports <<<"$ports"

    local client=() peer=() cluster="" member
    for ((i = 1; i <= count; i++)); do
        client[i]="http://127.0.0.1:${ports[2 * i - 2]}"
        peer[i]="http://127.0.0.1:${ports[2 * i - 1]}"
        member="$name"
        ((count == 1)) || member="$name-$i"
        cluster+="${cluster:+,}$member=${peer[i]}"
    done

    local token endpoints="" extra=()
    token="$name-$(date +%s)-$RANDOM"
    read -r -a extra <<<"${ETCD_EXTRA_ARGS:-}"
    for ((i = 1; i <= count; i++)); do
        member="$name"
        ((count == 1)) || member="$name-$i"
        printf '%s\n' "$SERVERS_BIN/etcd" \
            --name "$member" \
            --data-dir "$dir/member-$i" \
            --listen-client-urls "${client[i]}" \
            --advertise-client-urls "${client[i]}" \
            --listen-peer-urls "${peer[i]}" \
            --initial-advertise-peer-urls "${peer[i]}" \
            --initial-cluster "$cluster" \
            --initial-cluster-state new \
            --initial-cluster-token "$token" \
            --logger zap --log-outputs stderr \
            "${extra[@]}" >"$dir/member-$i.args"
        echo "${client[i]}" >"$dir/member-$i.url"
        endpoints+="${endpoints:+,}${client[i]}"
    done
    server_spawn_members "$name" "$count"
    server_await_ready etcd "$name" "not healthy" etcd_healthy "$endpoints" || return
    echo "$endpoints" >"$dir/endpoints"
}

# etcd_start NAME COUNT: prints the URL(s), comma-separated.
etcd_start() {
    server_start etcd "$1" "$2" endpoints "is healthy"
}

etcd_stop() { server_stop etcd "$1"; }

# etcd_restart_member NAME N: (re)starts member N with its old data dir and flags.
etcd_restart_member() { server_restart_member etcd "$1" "$2" etcd_healthy; }

# shellcheck shell=bash
#
# Consul server agents (one server or a cluster) for scripts/consul.sh and
# scripts/consul-cluster.sh. Source after lib/common.sh; sources lib/server.sh.
#
# Real server agents (never -dev): -server -bootstrap-expect=<members>,
# bound to 127.0.0.1, every port free and non-default (HTTP, Serf LAN,
# Serf WAN, server RPC), DNS, HTTPS and gRPC disabled, no update checks.
#
# Layout of .servers/run/<name>/ (N = member number, 1-based):
#   url            HTTP API URL of member 1, e.g. http://127.0.0.1:23456
#   urls           HTTP API URLs of all members, comma-separated
#   member-N/      data dir of member N (kept by restart-member)
#   member-N.log   its log            member-N.pid  its PID
#   member-N.url   its HTTP API URL   member-N.args its command line, one argument per line
#   ports          ports reserved by this instance
#
# Environment: CONSUL_EXTRA_ARGS   extra flags for every member

# shellcheck source=scripts/lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/server.sh"

# consul_has_leader URL: the agent at URL knows a leader.
consul_has_leader() {
    local leader
    leader="$(curl -fsS --max-time 2 "$1/v1/status/leader")" || return 1
    [[ "$leader" =~ [0-9] ]] # "127.0.0.1:port", or "" while there is none
}

# consul_ready COUNT URL...: every agent knows the leader, the leader has
# COUNT raft peers and a KV write through the first agent is committed.
consul_ready() {
    local count=$1 url peers
    shift
    for url in "$@"; do
        consul_has_leader "$url" || return 1
    done
    peers="$(curl -fsS --max-time 2 "$1/v1/status/peers")" || return 1
    [[ "$(grep -o ':[0-9][0-9]*"' <<<"$peers" | wc -l)" -ge "$count" ]] || return 1
    [[ "$(curl -fsS --max-time 2 -X PUT --data ok "$1/v1/kv/allocator-scripts/startup-check")" == true ]] || return 1
    curl -fsS --max-time 2 -X DELETE "$1/v1/kv/allocator-scripts?recurse=true" >/dev/null
}

# One attempt at starting COUNT servers on fresh ports.
# Returns 0 when ready, 2 on a port clash (worth retrying), 1 otherwise.
_consul_try_start() {
    local name=$1 count=$2 dir i j
    dir="$(server_dir "$name")"
    rm -rf "$dir"
    mkdir -p "$dir"
    local ports
    ports="$(with_port_lock alloc_ports "$dir" $((4 * count)))"
    read -r -a ports <<<"$ports"

    local http=() lan=() wan=() server=()
    for ((i = 1; i <= count; i++)); do
        http[i]="${ports[4 * i - 4]}"
        lan[i]="${ports[4 * i - 3]}"
        wan[i]="${ports[4 * i - 2]}"
        server[i]="${ports[4 * i - 1]}"
    done

    local urls=() extra=() node joins
    read -r -a extra <<<"${CONSUL_EXTRA_ARGS:-}"
    for ((i = 1; i <= count; i++)); do
        node="$name"
        ((count == 1)) || node="$name-$i"
        joins=()
        for ((j = 1; j <= count; j++)); do
            ((j == i)) || joins+=(-retry-join "127.0.0.1:${lan[j]}")
        done
        printf '%s\n' "$SERVERS_BIN/consul" agent \
            -server \
            -bootstrap-expect="$count" \
            -node="$node" \
            -data-dir="$dir/member-$i" \
            -bind=127.0.0.1 \
            -client=127.0.0.1 \
            -http-port="${http[i]}" \
            -https-port=-1 \
            -dns-port=-1 \
            -grpc-port=-1 \
            -serf-lan-port="${lan[i]}" \
            -serf-wan-port="${wan[i]}" \
            -server-port="${server[i]}" \
            "${joins[@]}" \
            -retry-interval=1s \
            -hcl='disable_update_check = true' \
            -hcl='disable_host_node_id = true' \
            -hcl='performance { raft_multiplier = 1 }' \
            -log-level=info \
            "${extra[@]}" >"$dir/member-$i.args"
        urls[i]="http://127.0.0.1:${http[i]}"
        echo "${urls[i]}" >"$dir/member-$i.url"
    done
    server_spawn_members "$name" "$count"
    server_await_ready consul "$name" "has no leader or refuses KV writes" consul_ready "$count" "${urls[@]:1}" || return
    echo "${urls[1]}" >"$dir/url"
    (IFS=,; echo "${urls[*]:1}") >"$dir/urls"
}

# consul_start NAME COUNT: prints the URL(s), comma-separated.
consul_start() {
    command -v curl >/dev/null || die "curl is needed to check Consul (apt-get install curl)"
    server_start consul "$1" "$2" urls "has a leader and accepts writes"
}

consul_stop() { server_stop consul "$1"; }

# consul_restart_member NAME N: (re)starts member N with its old data dir and flags
# (it rejoins through -retry-join).
consul_restart_member() { server_restart_member consul "$1" "$2" consul_has_leader; }

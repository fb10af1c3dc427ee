# shellcheck shell=bash
#
# Consul server agents (one server or a cluster) for scripts/consul.sh and
# scripts/consul-cluster.sh. Source after lib/common.sh.
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

consul_dir() { echo "$SERVERS_RUN/$1"; }

# Marker that identifies member N's process by its command line.
consul_marker() { echo "$(consul_dir "$1")/member-$2 "; }

consul_member_count() {
    local n=0
    while [[ -f "$(consul_dir "$1")/member-$((n + 1)).args" ]]; do n=$((n + 1)); done
    echo "$n"
}

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

consul_running() {
    local name=$1 dir i n
    dir="$(consul_dir "$name")"
    n="$(consul_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        pid_is_ours "$(cat "$dir/member-$i.pid" 2>/dev/null)" "$(consul_marker "$name" "$i")" && return 0
    done
    return 1
}

consul_kill_all() {
    local name=$1 dir i n
    dir="$(consul_dir "$name")"
    n="$(consul_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        stop_pid "$dir/member-$i.pid" "$(consul_marker "$name" "$i")" &
    done
    wait
}

# One attempt at starting COUNT servers on fresh ports.
# Returns 0 when ready, 2 on a port clash (worth retrying), 1 otherwise.
_consul_try_start() {
    local name=$1 count=$2 dir i j
    dir="$(consul_dir "$name")"
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

    local pids="" urls=() extra=() node joins
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
    for ((i = 1; i <= count; i++)); do
        local args
        mapfile -t args <"$dir/member-$i.args"
        spawn "$dir/member-$i.log" "$dir/member-$i.pid" "${args[@]}"
        pids+=" $(cat "$dir/member-$i.pid")"
    done

    local rc=0
    wait_for "$START_TIMEOUT" "$pids" consul_ready "$count" "${urls[@]:1}" || rc=$?
    if ((rc == 0)); then
        echo "${urls[1]}" >"$dir/url"
        (IFS=,; echo "${urls[*]:1}") >"$dir/urls"
        return 0
    fi
    consul_kill_all "$name"
    if logs_show_port_clash "$dir"/member-*.log; then
        return 2
    fi
    if ((rc == 1)); then
        warn "consul '$name' has no leader or refuses KV writes after ${START_TIMEOUT}s"
    else
        warn "a consul server of '$name' exited during startup"
    fi
    dump_logs "$dir"/member-*.log
    return 1
}

# consul_start NAME COUNT: prints the HTTP URL(s), comma-separated.
consul_start() {
    local name=$1 count=$2 attempt rc
    check_name "$name"
    ensure_binaries
    command -v curl >/dev/null || die "curl is needed to check Consul (apt-get install curl)"
    if consul_running "$name"; then
        die "consul '$name' is already running ($(consul_dir "$name")); stop it first"
    fi
    for attempt in 1 2 3; do
        rc=0
        _consul_try_start "$name" "$count" || rc=$?
        case $rc in
        0)
            info "consul '$name' ($count server(s)) has a leader and accepts writes at $(cat "$(consul_dir "$name")/urls")"
            cat "$(consul_dir "$name")/urls"
            return 0
            ;;
        2) warn "port clash starting consul '$name' (attempt $attempt), retrying on other ports" ;;
        *) break ;;
        esac
    done
    rm -rf "$(consul_dir "$name")"
    die "could not start consul '$name'"
}

consul_stop() {
    local name=$1 dir
    check_name "$name"
    dir="$(consul_dir "$name")"
    if [[ ! -d "$dir" ]]; then
        info "consul '$name' is not running"
        return 0
    fi
    consul_kill_all "$name"
    rm -rf "$dir"
    info "consul '$name' stopped"
}

# consul_restart_member NAME N: (re)starts server N with its old data dir and
# flags (it rejoins through -retry-join); kills it first if it still runs.
consul_restart_member() {
    local name=$1 i=$2 dir n args pid url
    check_name "$name"
    dir="$(consul_dir "$name")"
    n="$(consul_member_count "$name")"
    ((n > 0)) || die "consul '$name' does not exist ($dir)"
    if ! [[ "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > n)); then
        die "member must be 1..$n, not '$i'"
    fi
    stop_pid "$dir/member-$i.pid" "$(consul_marker "$name" "$i")"
    mapfile -t args <"$dir/member-$i.args"
    spawn "$dir/member-$i.log" "$dir/member-$i.pid" "${args[@]}"
    pid="$(cat "$dir/member-$i.pid")"
    url="$(cat "$dir/member-$i.url")"
    local rc=0
    wait_for "$START_TIMEOUT" "$pid" consul_has_leader "$url" || rc=$?
    if ((rc != 0)); then
        dump_logs "$dir/member-$i.log"
        die "consul '$name' member $i did not rejoin a leader"
    fi
    info "consul '$name' member $i is back (pid $pid) at $url"
}

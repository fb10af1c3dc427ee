# shellcheck shell=bash
#
# etcd instances (one member or a cluster) for scripts/etcd.sh and
# scripts/etcd-cluster.sh. Source after lib/common.sh.
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

ETCDCTL_TIMEOUTS=(--dial-timeout=1s --command-timeout=2s)

etcd_dir() { echo "$SERVERS_RUN/$1"; }

# Marker that identifies member N's process by its command line.
etcd_marker() { echo "$(etcd_dir "$1")/member-$2 "; }

etcd_member_count() {
    local n=0
    while [[ -f "$(etcd_dir "$1")/member-$((n + 1)).args" ]]; do n=$((n + 1)); done
    echo "$n"
}

etcd_healthy() { "$SERVERS_BIN/etcdctl" "${ETCDCTL_TIMEOUTS[@]}" --endpoints="$1" endpoint health; }

# True if some member of instance $1 still runs.
etcd_running() {
    local name=$1 dir i n
    dir="$(etcd_dir "$name")"
    n="$(etcd_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        pid_is_ours "$(cat "$dir/member-$i.pid" 2>/dev/null)" "$(etcd_marker "$name" "$i")" && return 0
    done
    return 1
}

# Stops every member (in parallel); keeps the files.
etcd_kill_all() {
    local name=$1 dir i n
    dir="$(etcd_dir "$name")"
    n="$(etcd_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        stop_pid "$dir/member-$i.pid" "$(etcd_marker "$name" "$i")" &
    done
    wait
}

# One attempt at starting COUNT members on fresh ports.
# Returns 0 when healthy, 2 on a port clash (worth retrying), 1 otherwise.
_etcd_try_start() {
    local name=$1 count=$2 dir i
    dir="$(etcd_dir "$name")"
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

    local token pids="" endpoints="" extra=()
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
    for ((i = 1; i <= count; i++)); do
        local args
        mapfile -t args <"$dir/member-$i.args"
        spawn "$dir/member-$i.log" "$dir/member-$i.pid" "${args[@]}"
        pids+=" $(cat "$dir/member-$i.pid")"
    done

    local rc=0
    wait_for "$START_TIMEOUT" "$pids" etcd_healthy "$endpoints" || rc=$?
    if ((rc == 0)); then
        echo "$endpoints" >"$dir/endpoints"
        return 0
    fi
    etcd_kill_all "$name"
    if logs_show_port_clash "$dir"/member-*.log; then
        return 2
    fi
    if ((rc == 1)); then
        warn "etcd '$name' not healthy after ${START_TIMEOUT}s"
    else
        warn "an etcd member of '$name' exited during startup"
    fi
    dump_logs "$dir"/member-*.log
    return 1
}

# etcd_start NAME COUNT: prints the comma-separated client URLs.
etcd_start() {
    local name=$1 count=$2 attempt rc
    check_name "$name"
    ensure_binaries
    if etcd_running "$name"; then
        die "etcd '$name' is already running ($(etcd_dir "$name")); stop it first"
    fi
    for attempt in 1 2 3; do
        rc=0
        _etcd_try_start "$name" "$count" || rc=$?
        case $rc in
        0)
            info "etcd '$name' ($count member(s)) is healthy at $(cat "$(etcd_dir "$name")/endpoints")"
            cat "$(etcd_dir "$name")/endpoints"
            return 0
            ;;
        2) warn "port clash starting etcd '$name' (attempt $attempt), retrying on other ports" ;;
        *) break ;;
        esac
    done
    rm -rf "$(etcd_dir "$name")"
    die "could not start etcd '$name'"
}

etcd_stop() {
    local name=$1 dir
    check_name "$name"
    dir="$(etcd_dir "$name")"
    if [[ ! -d "$dir" ]]; then
        info "etcd '$name' is not running"
        return 0
    fi
    etcd_kill_all "$name"
    rm -rf "$dir"
    info "etcd '$name' stopped"
}

# etcd_restart_member NAME N: (re)starts member N with its old data dir and
# flags; kills it first if it still runs (even if SIGSTOPped).
etcd_restart_member() {
    local name=$1 i=$2 dir n args pid
    check_name "$name"
    dir="$(etcd_dir "$name")"
    n="$(etcd_member_count "$name")"
    ((n > 0)) || die "etcd '$name' does not exist ($dir)"
    if ! [[ "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > n)); then
        die "member must be 1..$n, not '$i'"
    fi
    stop_pid "$dir/member-$i.pid" "$(etcd_marker "$name" "$i")"
    mapfile -t args <"$dir/member-$i.args"
    spawn "$dir/member-$i.log" "$dir/member-$i.pid" "${args[@]}"
    pid="$(cat "$dir/member-$i.pid")"
    local rc=0
    wait_for "$START_TIMEOUT" "$pid" etcd_healthy "$(cat "$dir/member-$i.url")" || rc=$?
    if ((rc != 0)); then
        dump_logs "$dir/member-$i.log"
        die "etcd '$name' member $i did not become healthy again"
    fi
    info "etcd '$name' member $i is back (pid $pid) at $(cat "$dir/member-$i.url")"
}

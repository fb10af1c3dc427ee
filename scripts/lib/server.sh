# shellcheck shell=bash
#
# Start, stop and restart of a test server instance (one member or a cluster),
# written once for etcd and Consul. Source after lib/common.sh; lib/etcd.sh and
# lib/consul.sh source it and call it with their KIND ("etcd", "consul").
#
# What a KIND provides, in lib/<kind>.sh:
#   _<kind>_try_start NAME COUNT  one attempt on fresh ports: writes the layout
#                                 below, then server_spawn_members and
#                                 server_await_ready; 0 ready, 2 port clash
#                                 (worth retrying), 1 otherwise
#
# Layout of .servers/run/<name>/ that every KIND writes (N = member number):
#   member-N/  data dir      member-N.log  log        member-N.pid  PID
#   member-N.url  its URL    member-N.args its command line, one argument per line
#   ports      ports reserved by this instance

server_dir() { echo "$SERVERS_RUN/$1"; }

# Marker that identifies member N's process by its command line.
server_marker() { echo "$(server_dir "$1")/member-$2 "; }

server_member_count() {
    local n=0
    while [[ -f "$(server_dir "$1")/member-$((n + 1)).args" ]]; do n=$((n + 1)); done
    echo "$n"
}

# True if some member of instance $1 still runs.
server_running() {
    local name=$1 dir i n
    dir="$(server_dir "$name")"
    n="$(server_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        pid_is_ours "$(cat "$dir/member-$i.pid" 2>/dev/null)" "$(server_marker "$name" "$i")" && return 0
    done
    return 1
}

# Stops every member (in parallel); keeps the files.
server_kill_all() {
    local name=$1 dir i n
    dir="$(server_dir "$name")"
    n="$(server_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        stop_pid "$dir/member-$i.pid" "$(server_marker "$name" "$i")" &
    done
    wait
}

# server_spawn_members NAME COUNT: starts members 1..COUNT from their member-N.args.
server_spawn_members() {
    local dir i args
    dir="$(server_dir "$1")"
    for ((i = 1; i <= $2; i++)); do
        mapfile -t args <"$dir/member-$i.args"
        spawn "$dir/member-$i.log" "$dir/member-$i.pid" "${args[@]}"
    done
}

# server_await_ready KIND NAME NOT_READY CHECK...: waits until CHECK succeeds
# while every member runs. Returns 0 when it does; otherwise stops the members
# and returns 2 on a port clash (worth retrying), or 1 with a warning (NOT_READY
# says what was missing) and the members' logs.
server_await_ready() {
    local kind=$1 name=$2 not_ready=$3 dir pids="" i n rc=0
    shift 3
    dir="$(server_dir "$name")"
    n="$(server_member_count "$name")"
    for ((i = 1; i <= n; i++)); do
        pids+=" $(cat "$dir/member-$i.pid")"
    done
    wait_for "$START_TIMEOUT" "$pids" "$@" || rc=$?
    ((rc != 0)) || return 0
    server_kill_all "$name"
    if logs_show_port_clash "$dir"/member-*.log; then
        return 2
    fi
    if ((rc == 1)); then
        warn "$kind '$name' $not_ready after ${START_TIMEOUT}s"
    else
        warn "a member of $kind '$name' exited during startup"
    fi
    dump_logs "$dir"/member-*.log
    return 1
}

# server_start KIND NAME COUNT URLS_FILE READY: starts COUNT members, retrying
# on a port clash, and prints the instance's URLs (the file URLS_FILE of its
# directory). READY says what "ready" means for the KIND, for the message.
server_start() {
    local kind=$1 name=$2 count=$3 urls_file=$4 ready=$5 attempt rc
    check_name "$name"
    ensure_binaries
    if server_running "$name"; then
        die "$kind '$name' is already running ($(server_dir "$name")); stop it first"
    fi
    for attempt in 1 2 3; do
        rc=0
        "_${kind}_try_start" "$name" "$count" || rc=$?
        case $rc in
        0)
            info "$kind '$name' ($count member(s)) $ready at $(cat "$(server_dir "$name")/$urls_file")"
            cat "$(server_dir "$name")/$urls_file"
            return 0
            ;;
        2) warn "port clash starting $kind '$name' (attempt $attempt), retrying on other ports" ;;
        *) break ;;
        esac
    done
    rm -rf "$(server_dir "$name")"
    die "could not start $kind '$name'"
}

# server_stop KIND NAME: stops every member and removes the instance.
server_stop() {
    local kind=$1 name=$2 dir
    check_name "$name"
    dir="$(server_dir "$name")"
    if [[ ! -d "$dir" ]]; then
        info "$kind '$name' is not running"
        return 0
    fi
    server_kill_all "$name"
    rm -rf "$dir"
    info "$kind '$name' stopped"
}

# server_restart_member KIND NAME N READY_CHECK: (re)starts member N with its
# old data dir and flags, killing it first if it still runs (even if
# SIGSTOPped), and waits until `READY_CHECK <member's URL>` succeeds.
server_restart_member() {
    local kind=$1 name=$2 i=$3 ready_check=$4 dir n args pid url
    check_name "$name"
    dir="$(server_dir "$name")"
    n="$(server_member_count "$name")"
    ((n > 0)) || die "$kind '$name' does not exist ($dir)"
    if ! [[ "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > n)); then
        die "member must be 1..$n, not '$i'"
    fi
    stop_pid "$dir/member-$i.pid" "$(server_marker "$name" "$i")"
    mapfile -t args <"$dir/member-$i.args"
    spawn "$dir/member-$i.log" "$dir/member-$i.pid" "${args[@]}"
    pid="$(cat "$dir/member-$i.pid")"
    url="$(cat "$dir/member-$i.url")"
    local rc=0
    wait_for "$START_TIMEOUT" "$pid" "$ready_check" "$url" || rc=$?
    if ((rc != 0)); then
        dump_logs "$dir/member-$i.log"
        die "$kind '$name' member $i is not ready again ($ready_check $url)"
    fi
    info "$kind '$name' member $i is back (pid $pid) at $url"
}

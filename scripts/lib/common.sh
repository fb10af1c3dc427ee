# shellcheck shell=bash
#
# Shared helpers for the server scripts in scripts/. Source it, do not run it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Provides:
#   REPO_ROOT, SCRIPTS_DIR, SERVERS_DIR (.servers), SERVERS_BIN (.servers/bin),
#   SERVERS_RUN (.servers/run)
#   info/warn/die                  messages on stderr (stdout is kept for results)
#   check_name NAME                validate an instance name
#   ensure_binaries                run install-servers.sh if a binary is missing
#   with_port_lock CMD...          run CMD while holding the port-allocation lock
#   alloc_ports DIR N              pick N free loopback ports, record them in DIR/ports
#   spawn LOG PIDFILE CMD...       start CMD detached (own session), log to LOG
#   pid_alive PID                  true if PID runs (and is not a zombie)
#   pid_is_ours PID MARKER         true if PID's command line contains MARKER
#   stop_pid PIDFILE MARKER        SIGTERM, then SIGKILL after a timeout
#   wait_for SECONDS PIDS CMD...   poll CMD until it succeeds, fail if a PID dies
#
# Tunables (environment):
#   ALLOCATOR_SERVER_START_TIMEOUT  seconds to wait for a server to get ready (30)
#   ALLOCATOR_SERVER_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (10)

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$SCRIPTS_DIR/.." && pwd)"
SERVERS_DIR="$REPO_ROOT/.servers"
SERVERS_BIN="$SERVERS_DIR/bin"
SERVERS_RUN="$SERVERS_DIR/run"

# shellcheck disable=SC2034 # used by the scripts that source this file
START_TIMEOUT="${ALLOCATOR_SERVER_START_TIMEOUT:-30}"
STOP_TIMEOUT="${ALLOCATOR_SERVER_STOP_TIMEOUT:-10}"

_prog="$(basename "$0")"

info() { printf '%s: %s\n' "$_prog" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "$_prog" "$*" >&2; }
die() {
    printf '%s: ERROR: %s\n' "$_prog" "$*" >&2
    exit 1
}

check_name() {
    [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
        die "invalid instance name '$1' (letters, digits, '.', '_', '-')"
}

# Makes sure .servers/bin/{etcd,etcdctl,consul} exist, installing them if not.
ensure_binaries() {
    local b
    for b in etcd etcdctl consul; do
        if [[ ! -x "$SERVERS_BIN/$b" ]]; then
            info "$SERVERS_BIN/$b missing, running install-servers.sh"
            bash "$SCRIPTS_DIR/install-servers.sh" >&2 ||
                die "install-servers.sh failed"
            return
        fi
    done
}

# ---------------------------------------------------------------------------
# Free ports
# ---------------------------------------------------------------------------

# Runs "$@" while holding an exclusive lock on .servers/run/.ports.lock, so that
# concurrent starts (e.g. parallel tests) never pick the same ports.
with_port_lock() {
    mkdir -p "$SERVERS_RUN"
    (
        flock -w 60 9 || die "timed out waiting for $SERVERS_RUN/.ports.lock"
        "$@"
    ) 9>"$SERVERS_RUN/.ports.lock"
}

# Prints every local TCP/UDP port that is in use (any state) on this machine.
_used_ports() {
    if command -v ss >/dev/null 2>&1; then
        ss -Htanu 2>/dev/null | awk '{ n = split($5, a, ":"); print a[n] }'
    fi
    # Ports recorded by other instances of these scripts (also while stopped).
    cat "$SERVERS_RUN"/*/ports 2>/dev/null || true
}

# True if something listens on 127.0.0.1:$1 (fallback when ss is missing).
_port_listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# alloc_ports DIR N: picks N distinct free ports, appends them to DIR/ports and
# prints them (space separated). Ports come from below the kernel's ephemeral
# range so outgoing connections cannot grab them in the meantime. Must be
# called under with_port_lock.
alloc_ports() {
    local dir=$1 n=$2 lo=20000 hi=32767 eph_lo
    if read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
        ((eph_lo > lo + 1000)); then
        hi=$((eph_lo - 1))
    fi
    local -A used=()
    local p
    while read -r p; do
        [[ -n "$p" ]] && used[$p]=1
    done < <(_used_ports)

    local picked=() tries=0
    while ((${#picked[@]} < n)); do
        ((++tries < 10000)) || die "could not find $n free ports"
        p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
        [[ -n "${used[$p]:-}" ]] && continue
        _port_listening "$p" && continue
        used[$p]=1
        picked+=("$p")
    done
    mkdir -p "$dir"
    printf '%s\n' "${picked[@]}" >>"$dir/ports"
    echo "${picked[*]}"
}

# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

# spawn LOG PIDFILE CMD...: starts CMD in its own session (so a Ctrl-C in the
# caller's terminal does not hit it), detached from our stdin/stdout, and
# writes its PID to PIDFILE. A small bash parent stays with it only to reap it
# the moment it exits: orphans are otherwise reaped by init, which can take a
# second or more and leaves "<defunct>" servers in `pgrep` after a stop.
spawn() {
    local log=$1 pidfile=$2 i
    shift 2
    rm -f "$pidfile"
    # shellcheck disable=SC2016 # expanded by the inner bash
    (SPAWN_PIDFILE="$pidfile" exec setsid bash -c \
        '"$@" & echo $! >"$SPAWN_PIDFILE.tmp" && mv "$SPAWN_PIDFILE.tmp" "$SPAWN_PIDFILE"; wait $!' \
        spawn "$@" </dev/null >>"$log" 2>&1) &
    for ((i = 0; i < 100; i++)); do
        [[ -s "$pidfile" ]] && return 0
        sleep 0.05
    done
    die "could not start $1 (no PID after 5 s, see $log)"
}

pid_alive() {
    local state
    [[ -n "$1" && -r "/proc/$1/stat" ]] || return 1
    state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# True if PID is alive and its command line mentions MARKER (the instance's
# run directory), to never signal an unrelated process that reused a PID.
pid_is_ours() {
    pid_alive "$1" || return 1
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# stop_pid PIDFILE MARKER: SIGTERM (plus SIGCONT, in case a test SIGSTOPped
# it), then SIGKILL after $STOP_TIMEOUT seconds. Quiet if it is not running.
stop_pid() {
    local pidfile=$1 marker=$2 pid i
    [[ -f "$pidfile" ]] || return 0
    pid="$(cat "$pidfile")"
    pid_is_ours "$pid" "$marker" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
    done
    if pid_alive "$pid"; then
        warn "pid $pid did not exit after SIGTERM within ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_alive "$pid" || break
            sleep 0.1
        done
        pid_alive "$pid" && warn "pid $pid is still alive after SIGKILL"
    fi
    _wait_reaped "$pid"
}

# Gives init up to 2 s to reap a dead server, so that `pgrep` right after a
# stop shows nothing (not even a zombie). Skipped for our own children, which
# are only reaped when this script exits.
_wait_reaped() {
    local pid=$1 i ppid
    for ((i = 0; i < 20; i++)); do
        [[ -e "/proc/$pid" ]] || return 0
        ppid="$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null)" || return 0
        [[ "$ppid" == "$$" || "$ppid" == "${BASHPID:-}" ]] && return 0
        sleep 0.1
    done
    return 0
}

# wait_for SECONDS "PID..." CMD...: polls CMD every 0.1 s until it succeeds.
# Returns 1 on timeout, 2 as soon as one of the PIDs has died.
wait_for() {
    local secs=$1 pids=$2 deadline p
    shift 2
    deadline=$((SECONDS + secs))
    while :; do
        for p in $pids; do
            pid_alive "$p" || return 2
        done
        "$@" >/dev/null 2>&1 && return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# True if one of the given log files says a port was already taken.
logs_show_port_clash() {
    grep -qiE 'address already in use|bind: address' "$@" 2>/dev/null
}

# Prints the last lines of each given log file on stderr.
dump_logs() {
    local f
    for f in "$@"; do
        [[ -f "$f" ]] || continue
        printf -- '----- last lines of %s -----\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

#!/usr/bin/env bash
#
# Usage: scripts/install-servers.sh
#
# Makes sure the real servers used by the tests, CI and benchmarks exist as
#   .servers/bin/etcd  .servers/bin/etcdctl  .servers/bin/consul
# and prints their versions. Idempotent: does nothing when they are there.
#
# For each binary, in order of preference:
#   1. an existing, working .servers/bin/<binary>;
#   2. the binary found on PATH (symlinked into .servers/bin);
#   3. a package unpacked by an earlier run (.servers/pkg/<package>/);
#   4. the Debian package, fetched with `apt-get download` and unpacked with
#      `dpkg -x` into .servers/pkg/<package>/ (no system-wide install):
#        etcd, etcdctl  <- etcd-server, etcd-client from suite $ETCD_SUITE   (trixie:   3.5.x)
#        consul         <- consul                    from suite $CONSUL_SUITE (bullseye: 1.8.x)
#
# apt runs with a private sources list and private lists/cache/status
# directories under .servers/apt/, so the machine's apt state is never touched
# (root is not required). The mirror and its Signed-By keyring are taken from
# the machine's own apt configuration (/etc/apt/sources.list.d/*.sources,
# then /etc/apt/sources.list).
#
# Environment:
#   ETCD_SUITE=trixie, CONSUL_SUITE=bullseye   Debian suites to take packages from
#   ALLOCATOR_APT_MIRROR=<url>                 use this mirror instead of the machine's
#   ALLOCATOR_SERVERS_IGNORE_PATH=1            do not use binaries found on PATH
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ETCD_SUITE="${ETCD_SUITE:-trixie}"
CONSUL_SUITE="${CONSUL_SUITE:-bullseye}"
APT_DIR="$SERVERS_DIR/apt"
PKG_DIR="$SERVERS_DIR/pkg"

# binary -> Debian package and suite that ship it (as /usr/bin/<binary>)
declare -A PKG_OF=([etcd]=etcd-server [etcdctl]=etcd-client [consul]=consul)
declare -A SUITE_OF=([etcd]="$ETCD_SUITE" [etcdctl]="$ETCD_SUITE" [consul]="$CONSUL_SUITE")
BINARIES=(etcd etcdctl consul)
SUITES="" # the suites apt needs, set by download_packages

version_of() {
    case "$1" in
    etcd) "$SERVERS_BIN/etcd" --version 2>/dev/null | head -n 1 ;;
    etcdctl) "$SERVERS_BIN/etcdctl" version 2>/dev/null | head -n 1 ;;
    consul) "$SERVERS_BIN/consul" version 2>/dev/null | head -n 1 ;;
    esac
}

works() { [[ -x "$SERVERS_BIN/$1" ]] && [[ -n "$(version_of "$1")" ]]; }

# ---------------------------------------------------------------------------
# Mirror discovery: prints "URI<TAB>KEYRING" (KEYRING may be empty) of the
# machine's main Debian archive.
# ---------------------------------------------------------------------------
find_mirror() {
    local codename=""
    if [[ -r /etc/os-release ]]; then
        codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    fi
    {
        # deb822 files: one record per stanza, "uri<TAB>keyring<TAB>suites"
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
            [[ -r "$f" ]] || continue
            awk '
                function flush() {
                    if (types ~ /(^|[ \t])deb([ \t]|$)/ && uris != "" && tolower(enabled) != "no") {
                        split(uris, u, /[ \t]+/)
                        printf "%s\t%s\t%s\n", u[1], key, suites
                    }
                    types = uris = key = suites = enabled = ""; field = ""
                }
                /^[ \t]*#/ { next }
                /^[ \t]*$/ { flush(); next }
                /^[ \t]/ { next }                       # continuation (inline key)
                {
                    field = tolower($0); sub(/:.*/, "", field)
                    value = $0; sub(/^[^:]*:[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
                    if (field == "types") types = value
                    else if (field == "uris") uris = value
                    else if (field == "suites") suites = value
                    else if (field == "enabled") enabled = value
                    else if (field == "signed-by" && value ~ /^\//) key = value
                }
                END { flush() }
            ' "$f"
        done
        # one-line format: deb [opt=val ...] uri suite component...
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [[ -r "$f" ]] || continue
            awk '
                $1 != "deb" { next }
                {
                    key = ""; i = 2
                    if ($2 ~ /^\[/) {
                        while (i <= NF) {
                            opt = $i; gsub(/[\[\]]/, "", opt)
                            if (opt ~ /^signed-by=/) { key = opt; sub(/^signed-by=/, "", key) }
                            if ($i ~ /\]$/) { i++; break }
                            i++
                        }
                    }
                    printf "%s\t%s\t%s\n", $i, key, $(i + 1)
                }
            ' "$f"
        done
    } | awk -F '\t' -v codename="$codename" '
        # Prefer the archive that carries the release itself (not -security).
        { n = split($3, s, /[ \t]+/)
          for (i = 1; i <= n; i++) if (s[i] == codename && best == "") best = $1 "\t" $2
          if ($1 !~ /security/ && fallback == "") fallback = $1 "\t" $2
          if (first == "") first = $1 "\t" $2 }
        END { if (best != "") print best; else if (fallback != "") print fallback; else print first }
    '
}

# ---------------------------------------------------------------------------
# Download + unpack
# ---------------------------------------------------------------------------
APT_OPTS=()

apt_update() {
    local trusted=$1 mirror=$2 keyring=$3 opts suite
    if [[ "$trusted" == yes ]]; then
        opts="[trusted=yes]"
    elif [[ -n "$keyring" && -r "$keyring" ]]; then
        opts="[signed-by=$keyring]"
    else
        opts="" # apt's default trusted keyrings (/etc/apt/trusted.gpg.d)
    fi
    : >"$APT_DIR/sources.list"
    for suite in $SUITES; do
        echo "deb $opts $mirror $suite main" >>"$APT_DIR/sources.list"
    done
    info "apt-get update (private lists in $APT_DIR): $(tr '\n' ';' <"$APT_DIR/sources.list")"
    apt-get "${APT_OPTS[@]}" --error-on=any update >"$APT_DIR/update.log" 2>&1
}

download_packages() {
    local mirror keyring line b
    SUITES="$(for b in "$@"; do echo "${SUITE_OF[$b]}"; done | sort -u | paste -sd ' ')"
    if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
        die "apt-get/dpkg not found: install etcd (>= 3.5) and consul on PATH instead"
    fi

    if [[ -n "${ALLOCATOR_APT_MIRROR:-}" ]]; then
        mirror="$ALLOCATOR_APT_MIRROR"
        keyring=""
    else
        line="$(find_mirror)"
        mirror="${line%%$'\t'*}"
        keyring="${line#*$'\t'}"
    fi
    [[ -n "$mirror" ]] ||
        die "no Debian mirror found in /etc/apt/sources.list{,.d/*} (set ALLOCATOR_APT_MIRROR)"
    info "Debian mirror from the machine's apt configuration: $mirror${keyring:+ (Signed-By $keyring)}"

    mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
    touch "$APT_DIR/status"
    APT_OPTS=(
        -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::Etc::Preferences=/dev/null"
        -o "Dir::Etc::PreferencesParts=/dev/null"
        -o "Dir::State::Lists=$APT_DIR/lists"
        -o "Dir::State::status=$APT_DIR/status"
        -o "Dir::Cache=$APT_DIR/cache"
        -o "Dir::Cache::pkgcache="
        -o "Dir::Cache::srcpkgcache="
        -o "APT::Sandbox::User=$(id -un)"
    )

    if ! apt_update no "$mirror" "$keyring"; then
        if grep -qE 'NO_PUBKEY|not signed|GPG error|EXPKEYSIG|signatures? (could not|couldn.t) be verified' \
            "$APT_DIR/update.log"; then
            warn "the machine's keyring cannot verify suites $SUITES; retrying with [trusted=yes]"
            grep -E '^(W|E):' "$APT_DIR/update.log" >&2 || true
            apt_update yes "$mirror" "" || {
                cat "$APT_DIR/update.log" >&2
                die "apt-get update failed even with [trusted=yes]"
            }
        else
            cat "$APT_DIR/update.log" >&2
            die "apt-get update failed for $mirror (see above)"
        fi
    fi

    local specs=() pkg
    for b in "$@"; do
        specs+=("${PKG_OF[$b]}/${SUITE_OF[$b]}")
    done
    mapfile -t specs < <(printf '%s\n' "${specs[@]}" | sort -u)
    info "apt-get download ${specs[*]}"
    rm -f "$APT_DIR/debs"/*.deb
    (cd "$APT_DIR/debs" && apt-get "${APT_OPTS[@]}" download "${specs[@]}") >"$APT_DIR/download.log" 2>&1 || {
        cat "$APT_DIR/download.log" >&2
        die "apt-get download ${specs[*]} failed (see above)"
    }

    for b in "$@"; do
        pkg="${PKG_OF[$b]}"
        local debs=("$APT_DIR/debs/${pkg}"_*.deb) deb
        deb="${debs[0]}"
        [[ -f "$deb" ]] || die "no .deb for $pkg in $APT_DIR/debs"
        if [[ ! -x "$PKG_DIR/$pkg/usr/bin/$b" ]]; then
            rm -rf "$PKG_DIR/$pkg.tmp"
            mkdir -p "$PKG_DIR"
            dpkg -x "$deb" "$PKG_DIR/$pkg.tmp"
            rm -rf "${PKG_DIR:?}/$pkg"
            mv "$PKG_DIR/$pkg.tmp" "$PKG_DIR/$pkg"
        fi
        [[ -x "$PKG_DIR/$pkg/usr/bin/$b" ]] || die "$deb does not contain usr/bin/$b"
        ln -sfn "../pkg/$pkg/usr/bin/$b" "$SERVERS_BIN/$b"
        info "$b <- $(basename "$deb")"
    done
    # Unpacked: drop the downloads and package lists to keep .servers small.
    rm -rf "$APT_DIR/debs" "$APT_DIR/lists" "$APT_DIR/cache"
}

install() {
    mkdir -p "$SERVERS_BIN"
    local b path missing=()
    for b in "${BINARIES[@]}"; do
        works "$b" && continue
        rm -f "$SERVERS_BIN/$b" # dangling or broken
        path=""
        if [[ "${ALLOCATOR_SERVERS_IGNORE_PATH:-}" != 1 ]]; then
            path="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$SERVERS_BIN" | paste -sd:)" \
                command -v "$b" 2>/dev/null || true)"
        fi
        if [[ -n "$path" ]]; then
            ln -sfn "$path" "$SERVERS_BIN/$b"
            if works "$b"; then
                info "$b <- $path (found on PATH)"
                continue
            fi
            rm -f "$SERVERS_BIN/$b"
            warn "$path does not run; ignoring it"
        fi
        # unpacked by an earlier run?
        ln -sfn "../pkg/${PKG_OF[$b]}/usr/bin/$b" "$SERVERS_BIN/$b"
        if works "$b"; then
            info "$b <- .servers/pkg/${PKG_OF[$b]} (downloaded before)"
            continue
        fi
        rm -f "$SERVERS_BIN/$b"
        missing+=("$b")
    done
    if ((${#missing[@]})); then
        download_packages "${missing[@]}"
    fi
    for b in "${BINARIES[@]}"; do
        works "$b" || die "$SERVERS_BIN/$b is missing or does not run"
    done
}

mkdir -p "$SERVERS_DIR"
# One install at a time (parallel test runs share the .servers folder).
exec 9>"$SERVERS_DIR/.install.lock"
flock -w 600 9 || die "timed out waiting for $SERVERS_DIR/.install.lock"
install
for b in "${BINARIES[@]}"; do
    printf '%-8s %s  (%s)\n' "$b" "$(version_of "$b")" "$(readlink -f "$SERVERS_BIN/$b")"
done

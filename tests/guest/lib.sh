# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Sourced by tests/guest/setup.sh and tests/guest/run.sh: paths, logging,
# step timing, the archive mirror taken from this machine's own apt
# configuration, and a private apt configuration (never /etc/apt) that sees
# the guest suite.
#
# Environment (all optional):
#   DPDK_RTCD_GUEST_DIR     work directory (default /var/tmp/dpdk-rtcd-guest);
#                           downloads, the chroot and build products live here,
#                           never in the source tree
#   DPDK_RTCD_GUEST_SUITE   Debian suite of the chroot (default sid); it must
#                           carry QEMU >= 10.1 (vhost-user-test-device-pci)
#   DPDK_RTCD_GUEST_MIRROR  archive URI (default: the one this machine's apt
#                           sources use for its own release)
#   DPDK_RTCD_GUEST_KVER    guest kernel release (default: what the suite's
#                           linux-image-cloud-amd64 depends on)

GUEST_DIR=${DPDK_RTCD_GUEST_DIR:-/var/tmp/dpdk-rtcd-guest}
GUEST_SUITE=${DPDK_RTCD_GUEST_SUITE:-sid}
CH=$GUEST_DIR/chroot        # the suite's chroot: QEMU, compiler, kernel headers
OUT=$GUEST_DIR/out          # products: vmlinuz, modules, initramfs, probe
APTD=$GUEST_DIR/apt         # private apt state (lists, archives, sources.list)

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: run a command (errexit stays on), print its duration;
# a failure exits the script and the EXIT trap names the step.
STEP_TIMES=()
CURRENT_STEP=
step_trap() {
	local rc=$?
	[ $rc -ne 0 ] && [ -n "$CURRENT_STEP" ] && log "step: $CURRENT_STEP FAILED (rc=$rc)"
	return $rc
}
step() {
	local name=$1 t0 dt
	shift
	t0=$(date +%s.%N)
	CURRENT_STEP=$name
	log "step: $name"
	"$@"
	CURRENT_STEP=
	dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	STEP_TIMES+=("$name=${dt}s")
	log "step: $name done (${dt}s)"
}

# The archive the machine's own apt configuration uses for its own release
# (VERSION_CODENAME), from deb822 .sources files or one-line sources.list
# entries. Third-party and security entries do not list that suite.
host_mirror() {
	local codename f uri
	[ -n "${DPDK_RTCD_GUEST_MIRROR:-}" ] && { echo "$DPDK_RTCD_GUEST_MIRROR"; return 0; }
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell this machine's release (no VERSION_CODENAME in /etc/os-release); set DPDK_RTCD_GUEST_MIRROR"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk -v cn="$codename" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " cn " ") && uris != "") {
					split(uris, u, " "); print u[1]; found = 1; exit
				}
				types = suites = uris = ""; enabled = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^[ \t]*#/ { next }
			tolower($1) == "types:"   { $1 = ""; types = $0 }
			tolower($1) == "uris:"    { $1 = ""; uris = $0 }
			tolower($1) == "suites:"  { $1 = ""; suites = $0 }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { if (!found) flush() }' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk -v cn="$codename" '
			$1 == "deb" {
				i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if ($(i + 1) == cn) { print $i; exit }
			}' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return 0; }
	done
	die "no apt source for '$codename' in /etc/apt: cannot derive the Debian mirror; set DPDK_RTCD_GUEST_MIRROR"
}

# Private apt: same keyring and proxy settings as the machine (apt.conf.d is
# still read), but its own sources, lists and package cache. The suite's
# Release file may be past Valid-Until on a lagging mirror.
aptp_init() {
	MIRROR=$(host_mirror)
	APTO=(-o "Dir::Etc::SourceList=$APTD/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$APTD/lists" -o "Dir::Cache=$APTD/cache" -o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin -o "Dir::Cache::Archives=$APTD/archives"
		-o Dir::State::Status=/dev/null -o Acquire::Check-Valid-Until=false
		-o APT::Get::List-Cleanup=false -o APT::Sandbox::User=root)
	mkdir -p "$APTD/lists/partial" "$APTD/archives/partial" "$APTD/cache"
	printf 'deb %s %s main\n' "$MIRROR" "$GUEST_SUITE" > "$APTD/sources.list.new"
	if ! cmp -s "$APTD/sources.list.new" "$APTD/sources.list"; then
		mv "$APTD/sources.list.new" "$APTD/sources.list"
		rm -f "$APTD"/lists/*_Packages* "$APTD"/lists/*Release* "$APTD/updated"
	else
		rm -f "$APTD/sources.list.new"
	fi
}

# Refresh the private lists when missing or fetched more than an hour ago
# (apt gives list files the server's dates: keep our own stamp).
aptp_update() {
	if [ -z "$(find "$APTD/updated" -mmin -60 2>/dev/null)" ] ||
		[ -z "$(find "$APTD/lists" -maxdepth 1 -name '*Packages*' 2>/dev/null)" ]; then
		apt-get "${APTO[@]}" -q update >&2 ||
			die "apt-get update for '$GUEST_SUITE' from $MIRROR failed (see above)"
		[ -n "$(find "$APTD/lists" -maxdepth 1 -name '*Packages*')" ] ||
			die "apt-get update for '$GUEST_SUITE' from $MIRROR fetched no package list"
		touch "$APTD/updated"
	fi
}

# aptp_download DIR PKG[=VER]...: download verified .debs into DIR.
aptp_download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get "${APTO[@]}" -q download "$@" >&2) ||
		die "cannot download $* from '$GUEST_SUITE' ($MIRROR): the package may have left the archive; see above"
}

# Version of a package in the private lists (empty when absent).
aptp_version() {
	apt-cache "${APTO[@]}" show "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}

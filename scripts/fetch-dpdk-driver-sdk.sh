#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Fetch the DPDK driver SDK headers that Debian's libdpdk-dev does not ship
# (bus_vdev_driver.h, dev_driver.h, bus_driver.h) from Debian's dpdk source
# package of exactly the installed version, into DEST (default:
# <source tree>/.deps/dpdk-driver-sdk), with a VERSION file that meson checks
# against the installed DPDK. Nothing fetched here is committed.
#
# Only the vdev drivers need these headers; the rest of the project builds
# without them. When the archive does not serve the source of the installed
# version (Debian's archive keeps the current sources only, so a point
# release behind or ahead of it has none), the script says so in one line and
# exits 0: the vdev drivers are then not built. --strict makes that an error.
#
# The archive URIs and suites are those of this machine's (or chroot's) own
# apt configuration, so they always name the release that is installed; a
# private apt configuration with deb-src lines for them is used, the
# machine's sources are left untouched.
#
# usage: fetch-dpdk-driver-sdk.sh [--strict] [DEST]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
strict=0
dest=
for arg in "$@"; do
	case "$arg" in
	--strict) strict=1 ;;
	-*) echo "fetch-dpdk-driver-sdk: unknown option $arg (usage: $0 [--strict] [DEST])" >&2; exit 2 ;;
	*) dest=$arg ;;
	esac
done
dest=${dest:-$top/.deps/dpdk-driver-sdk}
headers="drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h lib/eal/include/bus_driver.h"

die() { echo "fetch-dpdk-driver-sdk: $*" >&2; exit 1; }
# The SDK is unavailable here: not an error unless --strict.
unavailable() {
	if [ "$strict" -eq 1 ]; then
		die "$*"
	fi
	echo "fetch-dpdk-driver-sdk: $*: vdev drivers will not be built"
	exit 0
}

version=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (apt-get install libdpdk-dev)"
# upstream version: no epoch, no Debian revision (24.11.8-0+deb13u1 -> 24.11.8)
upstream=${version#*:}
upstream=${upstream%%-*}
stamp="$dest/.version"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
	[ -f "$dest/VERSION" ] || echo "$upstream" > "$dest/VERSION"
	echo "fetch-dpdk-driver-sdk: headers for DPDK $version already in $dest"
	exit 0
fi
# A directory we filled for another version would make meson refuse the
# build (version mismatch): remove it (only if our stamp says it is ours).
if [ -f "$stamp" ]; then
	rm -rf "$dest"
fi

# deb-src lines for every archive URI and suite of the machine's own apt
# configuration (deb822 .sources files and one-line .list files), keeping
# their signed-by option. Suites come from there, never assumed: bookworm
# has bookworm-updates, sid has no -updates or -backports.
srclines=$(
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && cat "$f" && echo
	done | awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uris != "" && suites != "") {
				n = split(uris, u, " "); m = split(suites, s, " ")
				for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
					printf "deb-src %s%s %s main\n", opts, u[i], s[j]
			}
			types = uris = suites = opts = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
		/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		/^Signed-By:[ \t]*\// { sub(/^Signed-By:[ \t]*/, ""); opts = "[signed-by=" $0 "] " }
		END { flush() }'
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '
		$1 == "deb" && $2 ~ /^\[/ {
			o = ""; i = 2
			while (i <= NF) { o = o (o == "" ? "" : " ") $i; if ($i ~ /\]$/) break; i++ }
			printf "deb-src %s %s %s main\n", o, $(i + 1), $(i + 2); next
		}
		$1 == "deb" { printf "deb-src %s %s main\n", $2, $3 }'
)
if [ -z "$srclines" ]; then
	# No apt sources at all: the release's own codename (sid calls itself
	# "forky/sid" in os-release) with the first mirror we cannot find is
	# no better than giving up.
	unavailable "no Debian archive in this machine's apt configuration"
fi
suites=$(echo "$srclines" | awk '{print $NF == "main" ? $(NF - 1) : $NF}' | sort -u | tr '\n' ' ')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial"
echo "$srclines" > "$work/sources.list"
aptopts="-o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$work/lists -o Dir::Cache::Archives=$work/archives
	-o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false"
echo "fetch-dpdk-driver-sdk: dpdk $version source from the suites $suites"
# shellcheck disable=SC2086
apt-get $aptopts -q update >"$work/update.log" 2>&1 ||
	unavailable "apt-get update of the deb-src lists failed ($(grep -m1 -E '^(E|Err):' "$work/update.log" || echo 'see apt'))"
# shellcheck disable=SC2086
(cd "$work" && apt-get $aptopts -q source --download-only "dpdk=$version" >"$work/source.log" 2>&1) ||
	unavailable "Debian's archive does not serve the source of dpdk $version ($(grep -m1 -E '^(E|Err):' "$work/source.log" | cut -c1-120))"
orig=$(ls "$work"/dpdk_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || unavailable "no upstream tarball in the dpdk $version source package"

mkdir -p "$work/x"
for h in $headers; do
	tar -xf "$orig" -C "$work/x" --wildcards "*/$h" || die "$h is not in $orig"
done
rm -rf "$dest"
mkdir -p "$dest"
find "$work/x" -name '*.h' -exec cp {} "$dest/" \;
echo "$upstream" > "$dest/VERSION"
echo "$version" > "$stamp"
echo "fetch-dpdk-driver-sdk: installed $(ls "$dest" | tr '\n' ' ')for DPDK $upstream into $dest"

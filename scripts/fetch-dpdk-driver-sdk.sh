#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Fetch the DPDK driver SDK headers that Debian's libdpdk-dev does not ship
# (bus_vdev_driver.h, dev_driver.h, bus_driver.h) from Debian's dpdk source
# package of exactly the installed version, into DEST (default:
# <source tree>/.deps/dpdk-driver-sdk). Nothing fetched here is committed.
#
# The mirror comes from this machine's own apt configuration; a private apt
# configuration with a deb-src line is used, the machine's sources are left
# untouched.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$top/.deps/dpdk-driver-sdk}
headers="drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h lib/eal/include/bus_driver.h"

die() { echo "fetch-dpdk-driver-sdk: $*" >&2; exit 1; }

version=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (apt-get install libdpdk-dev)"
stamp="$dest/.version"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
	echo "fetch-dpdk-driver-sdk: headers for DPDK $version already in $dest"
	exit 0
fi

# The first archive URI and suite of the machine's own configuration
# (deb822 .sources files first, then one-line sources.list).
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2; exit} $1 == "deb" && $2 ~ /^\[/ {print $3; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt; set one in the machine's apt configuration"
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial"
{
	echo "deb-src $mirror $codename main"
	echo "deb-src $mirror $codename-updates main"
	echo "deb-src $mirror $codename-backports main"
} > "$work/sources.list"
aptopts="-o Dir::Etc::SourceList=$work/sources.list -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$work/lists -o Dir::Cache::Archives=$work/archives
	-o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false"
echo "fetch-dpdk-driver-sdk: dpdk $version source from $mirror ($codename)"
# shellcheck disable=SC2086
apt-get $aptopts -q update >/dev/null || die "apt-get update of the deb-src lists failed"
# shellcheck disable=SC2086
(cd "$work" && apt-get $aptopts -q source --download-only "dpdk=$version" >/dev/null) ||
	die "Debian's archive does not serve the source of dpdk $version"
orig=$(ls "$work"/dpdk_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || die "no upstream tarball in the dpdk source package"

mkdir -p "$work/x"
for h in $headers; do
	tar -xf "$orig" -C "$work/x" --wildcards "*/$h" || die "$h is not in $orig"
done
rm -rf "$dest"
mkdir -p "$dest"
find "$work/x" -name '*.h' -exec cp {} "$dest/" \;
echo "$version" > "$stamp"
echo "fetch-dpdk-driver-sdk: installed $(ls "$dest" | tr '\n' ' ')into $dest"

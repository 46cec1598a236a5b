#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-rtcd authors
#
# Install what building and testing dpdk-rtcd needs on Debian 12, from the
# machine's own apt sources. Idempotent: only missing packages are fetched.
#   --fuzz   also the clang runtime for libFuzzer and the sanitizers
set -eu

pkgs="meson ninja-build pkg-config gcc libc6-dev libdpdk-dev dpdk dpdk-dev libssl-dev
openssl tzdata python3 python3-pyelftools procps iproute2 util-linux"
for arg in "$@"; do
	case "$arg" in
	--fuzz) pkgs="$pkgs clang libclang-rt-14-dev llvm" ;;
	*) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
	esac
done

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing; run as root (or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "install-deps: done"

#!/usr/bin/env bash
# Fetches Debian 13 (trixie)'s libdeflate 1.23 into a folder, for Benchmarks/pack.sh's
# LIBDEFLATE_DIR row: the same slugc binary then loads it instead of the system's (the soname,
# libdeflate.so.0, and the API are the same), to show what the library's version is worth.
# Debian 12 ships libdeflate 1.14; on the pack benchmark's tar stream, 1.23 compresses to the
# same bytes at level 6 in 12 to 21% less CPU. The .deb is checked against its SHA-256.
#
# Usage: Benchmarks/fetch-libdeflate.sh [DIR]   (default /tmp/slugc-libdeflate-1.23); prints
#        the folder holding libdeflate.so.0, e.g. LIBDEFLATE_DIR=$(Benchmarks/fetch-libdeflate.sh)
set -euo pipefail

dir="${1:-/tmp/slugc-libdeflate-1.23}"
url="http://deb.debian.org/debian/pool/main/libd/libdeflate/libdeflate0_1.23-2_amd64.deb"
sha256="5fe37fb79d53f5c91da6ba3ac4c1a8453e1f2b1ff0e0ea45189c5338bbfdbf82"
lib="$dir/usr/lib/x86_64-linux-gnu"
if [ ! -e "$lib/libdeflate.so.0" ]; then
  mkdir -p "$dir"
  curl -fsS --max-time 120 -o "$dir/libdeflate0.deb" "$url"
  echo "$sha256  $dir/libdeflate0.deb" | sha256sum -c --quiet - || { echo "fetch-libdeflate: $url does not have the expected SHA-256" >&2; exit 1; }
  dpkg-deb -x "$dir/libdeflate0.deb" "$dir"
fi
echo "$lib"

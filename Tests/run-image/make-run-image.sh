#!/usr/bin/env bash
# make-run-image.sh DIR — builds a bare Debian root filesystem in DIR that stands in for the
# stack's run image (Heroku's heroku-24: Ubuntu's base plus run-time libraries, no Python, no
# compilers), so tests can prove a slug boots with `slugc run --root DIR` and needs nothing
# from the build machine. Needs root and debootstrap.
#
# Idempotent: DIR/etc/slugc-run-image records what the image was built from; when it matches,
# the script returns at once. The image is built in a temporary folder beside DIR and renamed
# into place only once it is complete and checked, so a half-built image is never used.
set -euo pipefail

# Debian bookworm's counterparts of heroku-24's run-time libraries (REFERENCE.md, "The run image").
readonly PACKAGES=(
    libssl3 libsqlite3-0 libffi8 libbz2-1.0 liblzma5 zlib1g libreadline8 libncursesw6 libexpat1
    libgdbm6 libuuid1 libpcre2-8-0 libxml2 libcurl4 libstdc++6 libgcc-s1 libcrypt1 tzdata ca-certificates
)
readonly SUITE=bookworm VARIANT=minbase
readonly MIRROR=${SLUGC_RUN_IMAGE_MIRROR:-http://deb.debian.org/debian}
# Bump when the way the image is made changes, so existing images are rebuilt.
readonly FORMAT=1

say() { printf 'make-run-image: %s\n' "$*" >&2; }
fail() { printf 'make-run-image: error: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 && -n $1 ]] || { echo "usage: $0 DIR   (builds a bare $SUITE root filesystem in DIR)" >&2; exit 64; }
[[ $(id -u) -eq 0 ]] || fail "debootstrap and chroot need root. Run it as root (or with sudo)."
command -v debootstrap >/dev/null || fail "debootstrap is not installed. Install it: apt-get install -y debootstrap"

target=$(realpath -m -- "$1")
[[ $target != / ]] || fail "refusing to build the image over /."
parent=$(dirname -- "$target")
mkdir -p -- "$parent"
stamp_path=etc/slugc-run-image
stamp=$(printf 'format %s\nsuite %s\nvariant %s\npackages %s\n' "$FORMAT" "$SUITE" "$VARIANT" "${PACKAGES[*]}")

# One build at a time per DIR: a second caller waits, then finds the image up to date.
exec 9>"$target.lock"
flock 9

if [[ -f $target/$stamp_path && $(<"$target/$stamp_path") == "$stamp" ]]; then
    say "$target is up to date ($SUITE $VARIANT + ${#PACKAGES[@]} packages); nothing to do."
    exit 0
fi
if [[ -e $target && ! -f $target/$stamp_path ]] && [[ -n $(ls -A -- "$target" 2>/dev/null) || ! -d $target ]]; then
    # Never replace something this script did not make (a typo could name a real folder).
    fail "$target exists and was not made by this script (no $stamp_path). Remove it or choose another DIR."
fi

# Unmounts whatever debootstrap left mounted under a folder (proc, sys), deepest first, so a
# removal can never reach into the host's /proc or /sys.
unmount_under() {
    local root=$1 point
    while read -r point; do
        umount -l -- "$point" 2>/dev/null || true
    done < <(awk -v root="$root/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

work=$(mktemp -d -- "$target.building-XXXXXX")
chmod 0755 -- "$work"  # mktemp's 0700 would make / of the image unreadable to the app's user
cleanup() {
    unmount_under "$work"
    rm -rf --one-file-system -- "$work"
    rm -f -- "$work.log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
say "building a bare $SUITE root filesystem ($VARIANT) in $work from $MIRROR"
say "run-time libraries: ${PACKAGES[*]}"
include=$(IFS=,; echo "${PACKAGES[*]}")
if ! debootstrap --variant="$VARIANT" --include="$include" "$SUITE" "$work" "$MIRROR" >"$work.log" 2>&1; then
    tail -n 30 -- "$work.log" >&2 || true
    fail "debootstrap failed (its last lines are above). Check that $MIRROR is reachable, or set SLUGC_RUN_IMAGE_MIRROR."
fi
rm -f -- "$work.log"
unmount_under "$work"

say "checking the image"
missing=()
for package in "${PACKAGES[@]}"; do
    status=$(chroot "$work" dpkg-query -W -f '${db:Status-Status}' "$package" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] || fail "these packages did not install: ${missing[*]}"

# The whole point of the image: a slug that needs the build machine's Python or compilers must
# fail in it. Look in every folder a PATH could hold, links included.
found=$(find "$work/usr/bin" "$work/usr/sbin" "$work/usr/local/bin" "$work/usr/local/sbin" -maxdepth 1 \
            \( -type f -o -type l \) \( -name 'python*' -o -name 'swift*' -o -name cc -o -name 'gcc*' \
            -o -name 'c++' -o -name 'g++*' -o -name 'clang*' -o -name '*-linux-gnu-gcc*' \) -print 2>/dev/null || true)
found+=$(find "$work/usr/lib" -name 'libpython*' -printf '\n%p' 2>/dev/null | head -n 5 || true)
found=${found//"$work"/}
[[ -z $found ]] || fail "the image must hold no python, swift or C compiler, but has: $(echo $found)"
for program in bash sh cat; do
    chroot "$work" /bin/sh -c "command -v $program" >/dev/null || fail "the image has no $program, so it cannot boot a slug."
done

# apt's downloads and indexes are of no use to a run image; dropping them halves its size.
rm -rf -- "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/*
printf '%s\n' "$stamp" >"$work/$stamp_path"

if [[ -e $target ]]; then
    # An outdated image (its stamp differs): swap it out in one rename, then remove it.
    old=$(mktemp -d -- "$target.old-XXXXXX")
    mv -T -- "$target" "$old/image"
    mv -T -- "$work" "$target"
    rm -rf --one-file-system -- "$old"
else
    mv -T -- "$work" "$target"
fi
trap - EXIT
size=$(du -sh --one-file-system -- "$target" | cut -f1)
say "done in $((SECONDS - started)) s: $target ($size, no python, no swift, no cc)"

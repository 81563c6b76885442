# The build cache, $CACHE_DIR/swift/:
#   toolchain  the `swift --version` line the cache was built with
#   src/       a copy of the app at a path that never changes between builds
#   build/     SwiftPM's scratch folder (.build): compiled modules, dependency checkouts
#   swiftpm/   SwiftPM's repository cache (bare clones of dependencies)
# SwiftPM records absolute paths, and BUILD_DIR is a new temporary folder every build; building
# in src/ instead keeps the paths stable, so an incremental build recompiles only what changed.

# Keeps the cache when it was built by toolchain $1 (an identity line), discards it otherwise.
prepare_cache() {
    local identity="$1" recorded old new
    mkdir -p "$SWIFT_CACHE"
    if [ -f "$SWIFT_CACHE/toolchain" ]; then
        recorded=$(cat "$SWIFT_CACHE/toolchain")
        if [ "$recorded" = "$identity" ]; then
            detail "Reusing the build cache: only what changed recompiles"
        else
            old=$(version_in "$recorded")
            new=$(version_in "$identity")
            if [ -n "$old" ] && [ "$old" != "$new" ]; then
                detail "Discarding the build cache: it was built with Swift $old, this stack has Swift $new"
            else
                detail "Discarding the build cache: it was built with '$recorded', this stack has '$identity'"
            fi
            rm -rf "$SWIFT_CACHE/src" "$SWIFT_CACHE/build" "$SWIFT_CACHE/swiftpm"
        fi
    elif [ -d "$SWIFT_CACHE/build" ]; then
        detail "Discarding the build cache: no record of the Swift that built it"
        rm -rf "$SWIFT_CACHE/src" "$SWIFT_CACHE/build" "$SWIFT_CACHE/swiftpm"
    else
        detail "No build cache yet: building everything"
    fi
    printf '%s\n' "$identity" > "$SWIFT_CACHE/toolchain"
}

# Makes folder $2 hold exactly what folder $1 holds (without .git, .build, .swiftpm), copying
# only files whose content differs, so unchanged files keep their old modification times and
# SwiftPM does not rebuild them. A Package.resolved that SwiftPM wrote is kept when the app
# has none: it pins the versions the cached checkouts are at.
sync_sources() {
    local from="$1" to="$2" path source target
    mkdir -p "$to"
    (cd "$to" && find . -mindepth 1 -depth -print0 2>/dev/null) | while IFS= read -r -d '' path; do
        [ "$path" = ./Package.resolved ] && continue
        if [ ! -e "$from/$path" ] && [ ! -L "$from/$path" ]; then rm -rf "${to:?}/$path"; fi
    done
    (cd "$from" && find . -mindepth 1 \( -name .git -o -path ./.build -o -path ./.swiftpm \) -prune -o -print0) |
        while IFS= read -r -d '' path; do
            source="$from/$path"
            target="$to/$path"
            if [ -L "$source" ]; then
                if [ -L "$target" ] && [ "$(readlink "$source")" = "$(readlink "$target")" ]; then continue; fi
                rm -rf "$target"
                cp -P "$source" "$target"
            elif [ -d "$source" ]; then
                if [ -d "$target" ] && [ ! -L "$target" ]; then continue; fi
                rm -rf "$target"
                mkdir -p "$target"
            else
                if [ -f "$target" ] && [ ! -L "$target" ] && cmp -s "$source" "$target"; then continue; fi
                rm -rf "$target"
                cp "$source" "$target"
            fi
        done
}

# Runs `swift $@` from the cache's copy of the app, without the variables that change every build
# (OLDPWD is BUILD_DIR after the cd; SOURCE_VERSION is the commit; SLUGC_CACHE_LINKS is a file in
# slugc's build folder): SwiftPM keys its build plan on the working directory and the
# environment, so any of them would make every rebuild plan anew (8.7 s instead of 1 s for the
# Hummingbird fixture).
swiftpm() {
    (cd "$SOURCE" && exec env -u OLDPWD -u SOURCE_VERSION -u SLUGC_CACHE_LINKS swift "$@")
}

# Writes `swift package describe --type json` for the package in $1 to file $2, reusing the
# last one while the manifests are unchanged (it costs a manifest evaluation otherwise).
describe_package() {
    local package="$1" description="$2" key manifests
    manifests=$(cd "$package" && shopt -s nullglob && echo Package.swift Package@swift-*.swift)
    key=$(cd "$package" && cat $manifests | sha256sum | cut -d' ' -f1)
    if [ -s "$description" ] && [ "$(cat "$description.key" 2>/dev/null)" = "$key" ]; then return 0; fi
    rm -f "$description.key"
    if ! swiftpm package "${SWIFTPM[@]}" describe --type json > "$description" 2> "$description.log"; then
        indent < "$description.log"
        fail "swift package describe failed after a successful build; its messages are above."
    fi
    printf '%s\n' "$key" > "$description.key"
}

# Putting what runs into BUILD_DIR (which becomes the slug), and taking out what does not.

# Names of the package's executable products, one a line, from `swift package describe` JSON ($1).
executable_products() {
    jq -r '.products[] | select(.type | has("executable")) | .name' "$1"
}

# Copies executables $2… and every resource bundle from SwiftPM's bin folder $1 into
# BUILD_DIR/.swift-bin: Bundle.module finds a bundle next to the executable. With $STRIP set
# (a strip command), each executable is written without its debug information in the same pass.
install_products() {
    local bin="$1" name bundle
    shift
    rm -rf "$BUILD_DIR/.swift-bin"
    mkdir -p "$BUILD_DIR/.swift-bin"
    for name in "$@"; do
        if [ ! -f "$bin/$name" ]; then
            fail "swift build reported success but did not produce the executable product '$name'." \
                 "Check that the product '$name' in Package.swift names an executable target."
        fi
        if [ -n "$STRIP" ]; then
            "$STRIP" --strip-debug -o "$BUILD_DIR/.swift-bin/$name" "$bin/$name" ||
                fail "$STRIP --strip-debug could not strip the executable '$name'; its messages are above." \
                     "Set the config var SWIFT_KEEP_DEBUG_INFO=1 to ship it unstripped."
        else
            cp "$bin/$name" "$BUILD_DIR/.swift-bin/$name"
        fi
    done
    for bundle in "$bin"/*.resources; do
        if [ -d "$bundle" ]; then cp -R "$bundle" "$BUILD_DIR/.swift-bin/"; fi
    done
}

# The command that strips debug information (binutils' strip, else the toolchain's llvm-strip),
# or nothing when neither is on PATH.
strip_tool() {
    command -v strip || command -v llvm-strip || true
}

# Says how much stripping saved: the sizes of executables $2… in SwiftPM's bin folder $1 and in .swift-bin.
report_stripped() {
    local bin="$1" name before=0 after=0
    shift
    for name in "$@"; do
        before=$((before + $(stat -c %s "$bin/$name")))
        after=$((after + $(stat -c %s "$BUILD_DIR/.swift-bin/$name")))
    done
    detail "Stripped debug information: $(megabytes "$before") -> $(megabytes "$after") (backtraces still name functions; SWIFT_KEEP_DEBUG_INFO=1 keeps it)"
}

# Bytes $1 as "70.1 MB".
megabytes() {
    awk -v bytes="$1" 'BEGIN { printf "%.1f MB", bytes / 1000000 }'
}

# With a dynamically linked Swift runtime: copies every shared library the executables load
# from the toolchain (folder $1) into BUILD_DIR/.swift-lib, since the dyno has no toolchain.
install_runtime_libraries() {
    local toolchain_lib="$1" executable library
    mkdir -p "$BUILD_DIR/.swift-lib"
    for executable in "$BUILD_DIR"/.swift-bin/*; do
        [ -f "$executable" ] || continue
        ldd "$executable" 2>/dev/null | awk '$2 == "=>" { print $3 }' | while IFS= read -r library; do
            case "$library" in
                "$toolchain_lib"/*) cp -L "$library" "$BUILD_DIR/.swift-lib/" ;;
            esac
        done
    done
}

# Removes what only the build needs: every target's folder (Sources/…, Tests/…, from the
# package description $1), Package.resolved, .build and .swiftpm. Prints what it removed.
remove_build_inputs() {
    local description="$1" path removed=()
    while IFS= read -r path; do
        case "$path" in "" | . | /* | ..* | */..*) continue ;; esac
        if [ -e "$BUILD_DIR/$path" ]; then
            rm -rf "${BUILD_DIR:?}/$path"
            removed+=("$path")
            # Drop the parent too (Sources/, Tests/) once nothing else is in it.
            if [ "$(dirname "$path")" != . ]; then rmdir "$BUILD_DIR/$(dirname "$path")" 2>/dev/null || true; fi
        fi
    done < <(jq -r '.targets[].path' "$description")
    for path in Package.resolved .build .swiftpm; do
        if [ -e "$BUILD_DIR/$path" ]; then
            rm -rf "${BUILD_DIR:?}/$path"
            removed+=("$path")
        fi
    done
    if [ "${#removed[@]}" -gt 0 ]; then detail "Left out of the slug: ${removed[*]} (SWIFT_KEEP_SOURCES=1 keeps them)"; fi
}

# Writes .profile.d/swift.sh: the executables on PATH, and the runtime libraries when dynamic ($1 = yes).
write_profile() {
    mkdir -p "$BUILD_DIR/.profile.d"
    {
        echo "# Written by the Swift buildpack: the app's executables on PATH."
        echo 'export PATH="$HOME/.swift-bin:$PATH"'
        if [ "$1" = yes ]; then
            echo "# The Swift runtime is linked dynamically (SWIFT_DYNAMIC_STDLIB): its libraries travel in .swift-lib."
            echo 'export LD_LIBRARY_PATH="$HOME/.swift-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"'
        fi
    } > "$BUILD_DIR/.profile.d/swift.sh"
}

# Says which process type the package provides by default (bin/release makes the same choice).
report_process_types() {
    case "$#" in
        0) detail "No executable product: there is nothing to run by default, so the Procfile must declare the processes" ;;
        1) detail "Default process type: web: $1 (the package's only executable product)" ;;
        *) detail "No default process type: the package has $# executable products ($*); the Procfile must choose, e.g. 'web: $1'" ;;
    esac
}

# Which Swift the stack has, and whether the app asks for a newer one.

# The line of `swift --version` that names the version: the key a build cache is valid for.
# `swift --version` costs about a second, so the answer is remembered in the cache beside the
# path, size and mtime of the driver and frontend, and asked again only when those change.
toolchain_identity() {
    local driver stamp identity remembered="$SWIFT_CACHE/toolchain-stamp"
    driver=$(readlink -f "$(command -v swift)")
    stamp=$(stat -L -c '%n %s %Y' "$driver" "$(dirname "$driver")/swift-frontend" 2>/dev/null | tr '\n' ' ' || true)
    if [ -n "$stamp" ] && [ -f "$remembered" ] && [ "$(head -n 1 "$remembered")" = "$stamp" ]; then
        sed -n 2p "$remembered"
        return 0
    fi
    identity=$(swift --version 2>/dev/null | grep -m 1 'Swift version' || true)
    if [ -n "$stamp" ] && [ -n "$identity" ] && mkdir -p "$SWIFT_CACHE" 2>/dev/null; then
        printf '%s\n%s\n' "$stamp" "$identity" > "$remembered.$$" && mv "$remembered.$$" "$remembered"
    fi
    printf '%s\n' "$identity"
}

# The version number ("6.3.1") in an identity line ($1).
version_in() {
    printf '%s' "$1" | sed -nE 's/.*Swift version ([0-9]+(\.[0-9]+)*).*/\1/p'
}

# Succeeds when version $1 is newer than version $2, comparing numerically part by part
# with missing parts as 0 (so 6.3 is not newer than 6.3.0).
version_newer() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        na = split(a, x, "."); nb = split(b, y, ".");
        n = na > nb ? na : nb;
        for (i = 1; i <= n; i++) {
            p = (i <= na ? x[i] : 0) + 0; q = (i <= nb ? y[i] : 0) + 0;
            if (p > q) exit 0;
            if (p < q) exit 1;
        }
        exit 1
    }'
}

# Fails the build when Package.swift's swift-tools-version or .swift-version asks for a
# Swift newer than the stack's ($1); otherwise says which versions are in play.
check_toolchain() {
    local have="$1" manifest="$BUILD_DIR/Package.swift" line number tools wanted
    line=$(grep -n -m 1 -E '^[[:space:]]*//[[:space:]]*swift-tools-version' "$manifest" || true)
    if [ -n "$line" ]; then
        number=${line%%:*}
        tools=$(printf '%s' "${line#*:}" | sed -nE 's/.*swift-tools-version[[:space:]]*:[[:space:]]*([0-9]+(\.[0-9]+)*).*/\1/p')
    fi
    if [ -n "${tools:-}" ] && version_newer "$tools" "$have"; then
        fail "Package.swift:$number declares swift-tools-version $tools, which needs Swift $tools or newer, but this stack has Swift $have." \
             "Lower the swift-tools-version line to $have or below, or build on a stack whose Swift is $tools or newer."
    fi
    if [ -f "$BUILD_DIR/.swift-version" ]; then
        wanted=$(grep -m 1 -oE '[0-9]+(\.[0-9]+)*' "$BUILD_DIR/.swift-version" || true)
        if [ -z "$wanted" ]; then
            fail ".swift-version:1 holds no version number (like 6.3 or 6.3.1): '$(head -n 1 "$BUILD_DIR/.swift-version")'." \
                 "Write the Swift version the app needs, e.g. $have, or delete the file."
        fi
        if version_newer "$wanted" "$have"; then
            fail ".swift-version:1 asks for Swift $wanted, but this stack has Swift $have." \
                 "Change .swift-version to $have or lower (or delete it), or build on a stack with Swift $wanted or newer."
        fi
        detail ".swift-version asks for Swift $wanted; this stack has Swift $have"
    fi
    detail "Using Swift $have${tools:+ (Package.swift: swift-tools-version $tools)}"
}

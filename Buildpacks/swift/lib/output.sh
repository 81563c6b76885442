# Heroku's output conventions, and reading config vars from ENV_DIR.
# Everything goes to stdout so steps, compiler output and errors stay in order.

step() { echo "-----> $*"; }
detail() { echo "       $*"; }

# Prints each argument as one error line and exits non-zero (slugc maps that to exit 30).
fail() {
    local line
    for line in "$@"; do echo " !     $line"; done
    exit 1
}

# Indents a stream by seven spaces, line by line as it arrives.
indent() { sed -u 's/^/       /'; }

# The value of config var $1 (empty when unset); config vars are files in ENV_DIR, never exported.
config_var() {
    if [ -n "$ENV_DIR" ] && [ -f "$ENV_DIR/$1" ]; then cat "$ENV_DIR/$1"; fi
}

# True when config var $1 is set to 1, true or yes.
config_flag() {
    case "$(config_var "$1" | tr '[:upper:]' '[:lower:]' | tr -d '[:space:]')" in
        1 | true | yes) return 0 ;;
        *) return 1 ;;
    esac
}

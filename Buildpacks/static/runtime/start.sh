#!/usr/bin/env bash
# The static site's web process (web: bash "$HOME/.static/start.sh"). It runs on the run image,
# so it needs bash and coreutils only, no Python. It fills in what only the dyno knows (PORT,
# and the static.json values that name config vars) into the nginx configuration compile
# wrote, runs nginx in the foreground, and turns SIGTERM into nginx's graceful stop (SIGQUIT).
# Config vars are only ever copied into strings after a check: nothing is evaluated.
set -uo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: "&" in a ${x//a/b} replacement would mean the match

static=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd) || exit 1
app=${static%/*}
# The messages (from lib/messages.py) and the values to complete, written by compile.
# shellcheck source=/dev/null
source "$static/boot.sh" || exit 1

fail() {
    local format=$1
    shift
    # shellcheck disable=SC2059  # the formats are the buildpack's own, from boot.sh
    printf " !     $format\n" "$@" >&2
    exit 1
}

warn() {
    local format=$1
    shift
    # shellcheck disable=SC2059
    printf " !     Warning: $format\n" "$@" >&2
}

port=${PORT:-5000}
if [[ ! $port =~ ^0*[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    fail "$message_bad_port" "$port"
fi
port=$((10#$port))

# Sets `filled` to the template with each ${NAME} replaced by that config var, read from the
# environment itself (printenv), so none of this script's own variables can stand in for one.
fill() {
    local rest=$1 key=$2 name value
    filled="" used=""
    while [[ $rest == *'${'* ]]; do
        filled+=${rest%%'${'*}
        rest=${rest#*'${'}
        name=${rest%%'}'*}
        rest=${rest#*'}'}
        [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || exit 1  # compile lets no other name through
        if value=$(printenv -- "$name"); then
            filled+=$value
        else
            warn "$message_variable_unset" "$key" "$name"
        fi
        used+="${used:+, }\${$name}"
    done
    filled+=$rest
}

readonly url_pattern='^[^[:space:][:cntrl:]"\\{}]+$'
readonly origin_pattern='^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[^[:space:][:cntrl:]"\\{}$?#]*)?$'
readonly host_pattern='^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$'

conf=$(<"$static/nginx.conf.template") || exit 1
for index in "${!boot_value_templates[@]}"; do
    key=${boot_value_keys[index]} kind=${boot_value_kinds[index]}
    fill "${boot_value_templates[index]}" "$key"
    case $kind in
        url) pattern=$url_pattern description=$kind_url ;;
        origin) pattern=$origin_pattern description=$kind_origin ;;
        *) pattern=$host_pattern description=$kind_host ;;
    esac
    if [[ ! $filled =~ $pattern ]]; then
        fail "$message_value_invalid" "$key" "$filled" "$description" "$used"
    fi
    case $kind in
        # nginx expands variables in a redirect's URL: a "$" of the value must stay a dollar sign.
        url) filled=${filled//'$'/'${static_dollar}'} ;;
        # The origin's path replaces the proxied folder: it ends with "/" as the folder does.
        origin) [[ $filled =~ ^[a-z]+://[^/]+$ ]] && filled+=/
                [[ $filled == */ ]] || filled+=/ ;;
    esac
    conf=${conf//"@VALUE${index}@"/"$filled"}
done
conf=${conf//@PORT@/"$port"}
# nginx only switches users when it starts as root; then its workers stay root, like the dyno's process.
if ((EUID == 0)); then user_line="user root;"; else user_line=""; fi
conf=${conf//@USER@/"$user_line"}

mkdir -p -- "$static/run" 2>/dev/null && printf '%s\n' "$conf" 2>/dev/null >"$static/run/nginx.conf" \
    || fail "$message_run_folder" "$static/run"

# The access log goes through a FIFO that cat copies to this script's stdout. nginx would have
# to open /dev/stdout itself, which fails when stdout is a pipe or file of another user (a dyno's
# log pipe can be), and which would write past this script's own lines in a file. This script
# writes its lines into the FIFO too, so they keep their order with nginx's. Holding the FIFO
# open (fd 3) means neither cat nor nginx waits for the other, and cat sees the end of the log
# only once this script closes it, after nginx is gone.
access_log=$static/run/access.log
rm -f -- "$access_log"
mkfifo -m 600 -- "$access_log" 2>/dev/null && exec 3<>"$access_log" || fail "$message_run_folder" "$static/run"
(trap '' TERM INT; exec cat -- "$access_log") 3>&- &
log_pid=$!

nginx_pid="" stopping=""
stop() {
    # shellcheck disable=SC2059
    printf "$message_stopping\n" "$1" >&3
    stopping=1
    [[ -z $nginx_pid ]] || kill -QUIT "$nginx_pid" 2>/dev/null
}
trap 'stop SIGTERM' TERM
trap 'stop SIGINT' INT

# shellcheck disable=SC2059
printf "$message_serving\n" "$site_root" "$port" >&3
"$static/bin/nginx" -p "$app/" -c "$static/run/nginx.conf" -e stderr 3>&- &
nginx_pid=$!
[[ -z $stopping ]] || kill -QUIT "$nginx_pid" 2>/dev/null
wait "$nginx_pid"
status=$?
# A trapped SIGTERM or SIGINT cuts that wait short while nginx finishes its requests. A second
# wait is no good then: bash 5.2 can miss the exit of a child it reaped while running the trap,
# and wait for it forever (1 run in 8 here, so the dyno's SIGKILL came 30 s later). Poll until
# nginx is gone or a zombie, which bash reaps on its own.
if [[ -n $stopping ]]; then
    while kill -0 "$nginx_pid" 2>/dev/null && [[ $(</proc/$nginx_pid/stat) != *") Z "* ]]; do
        sleep 0.05
    done
    status=0
fi
exec 3>&-
wait "$log_pid"
exit "$status"

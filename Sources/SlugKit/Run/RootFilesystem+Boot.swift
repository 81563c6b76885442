import Foundation

// Booting inside the root filesystem: util-linux's `unshare` gives the run a private mount
// namespace (every mount below vanishes with it, none reaches the host) and a PID namespace
// (when its first process ends, the kernel kills everything left in it, even a daemon that
// escaped the process group). Networking stays the host's, so the app answers on
// 127.0.0.1:PORT. The run folder (the runner's temporary folder) holds:
//   app/      the extracted slug, bind-mounted at /app
//   lower/    the root filesystem, bind-mounted read-only: the overlay's lower layer
//   upper/ work/   the overlay's writable layer: whatever the app writes outside /app lands here
//   root/     the overlay's mount point, the app's /
//   started   written just before the app's command starts: without it, setup failed

extension RootFilesystem {
    /// The PATH of a dyno: the host's folders mean nothing inside the root filesystem.
    static let dynoPath = "/usr/local/bin:/usr/bin:/bin"

    /// The process that boots `command` at `/app` in this root filesystem: run it with
    /// `ChildProcess.run`, then call `checkStarted`. `boot` is the dyno boot of `SlugRunner`
    /// (`.profile.d`, then `$1` under bash); `environment` is the app's.
    func bootProcess(command: String, boot: String, runFolder: URL, environment: [String: String]) -> ChildProcess {
        // --kill-child: if unshare itself is killed, the namespace's first process goes too.
        ChildProcess(executable: unshare,
                     arguments: ["--mount", "--pid", "--fork", "--kill-child", "--", "/bin/bash", "-c", Self.setupScript,
                                 "slugc-run-root", folder.path, runFolder.path, "cd /app || exit 1; " + boot, command],
                     environment: environment, workingDirectory: runFolder)
    }

    /// Throws `rootFilesystemSetupFailed` when the process ended before the app's command
    /// started, so a failed mount is not mistaken for the app's own exit status.
    func checkStarted(runFolder: URL, outcome: ChildProcessOutcome) throws {
        if FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(Self.startedMarker).path) { return }
        let reason = outcome.errorTail.last ?? "the setup \(outcome.summary)"
        throw RunError.rootFilesystemSetupFailed(path: folder.path, reason: reason)
    }

    private static let startedMarker = "started"

    /// Runs as the first process of the new namespaces, with the host's tools:
    /// `$1` root filesystem, `$2` run folder, `$3` the boot script for inside, `$4` the command.
    static let setupScript = #"""
        set -eu
        image=$1 run=$2 boot=$3 command=$4
        app_path=$PATH
        PATH=/usr/sbin:/usr/bin:/sbin:/bin
        chroot_program=$(command -v chroot)
        cd "$run"
        root=$run/root
        mkdir lower upper work root
        # Read-only, so no run can change the image (many runs share one).
        mount --bind "$image" lower
        mount -o remount,bind,ro lower
        # Names relative to the run folder: a comma or colon in the image's or TMPDIR's path
        # would split the overlay's option string.
        mount -t overlay slugc-run -o lowerdir=lower,upperdir=upper,workdir=work root
        mkdir -p "$root/app" "$root/proc" "$root/dev" "$root/tmp" "$root/sys"
        mount --bind "$run/app" "$root/app"
        mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
        # A /dev of its own with the devices programs expect, rather than the host's disks.
        mount -t tmpfs -o mode=755,nosuid slugc-dev "$root/dev"
        for device in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
            IFS=: read -r name major minor <<<"$device"
            mknod -m 666 "$root/dev/$name" c "$major" "$minor"
        done
        mkdir "$root/dev/shm" "$root/dev/pts"
        mount -t tmpfs -o mode=1777,nosuid,nodev slugc-shm "$root/dev/shm"
        ln -s /proc/self/fd "$root/dev/fd"
        ln -s /proc/self/fd/0 "$root/dev/stdin"
        ln -s /proc/self/fd/1 "$root/dev/stdout"
        ln -s /proc/self/fd/2 "$root/dev/stderr"
        mount -t tmpfs -o mode=1777,nosuid,nodev slugc-tmp "$root/tmp"
        # Optional: programs that read CPU counts from /sys fall back to /proc without it.
        mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" 2>/dev/null || true
        : >"$run/started"
        # The app must not become the first process of the PID namespace, which never receives
        # a signal it has no handler for: this shell stays it, and waits. (bash would exec the
        # last command of a script in place of itself, hence the explicit status and exit.) The
        # app gets slugc's forwarded signals through the process group. This shell's own stderr
        # goes quiet (its "Terminated" when the app dies of a signal is not the app's output);
        # the app writes to the real one, kept on fd 3.
        status=0
        exec 3>&2 2>/dev/null
        PATH=$app_path "$chroot_program" "$root" /bin/bash -c "$boot" slugc-run "$command" 2>&3 3>&- || status=$?
        exit "$status"
        """#
}

import Foundation

/// A root filesystem that `slugc run --root` boots a slug in (a stand-in for the stack's run
/// image), checked with `check` before anything is extracted, so a wrong `--root` costs nothing.
struct RootFilesystem: Sendable {
    /// The folder as given; it is mounted read-only under an overlay and never written.
    let folder: URL
    /// util-linux's `unshare`, which creates the namespaces the run lives in.
    let unshare: String

    /// Checks `folder` and this machine, cheapest first; throws the `RunError` that says what to fix.
    static func check(_ folder: URL, environment: [String: String]) async throws -> RootFilesystem {
        let path = folder.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunError.rootFilesystemMissing(path: path)
        }
        guard isDirectory.boolValue else { throw RunError.rootFilesystemNotAFolder(path: path) }
        let hasBash = isProgram("/bin/bash", inside: folder)
        guard hasBash || isProgram("/bin/sh", inside: folder) else { throw RunError.notARootFilesystem(path: path) }
        guard hasBash else { throw RunError.rootFilesystemWithoutBash(path: path) }
        guard geteuid() == 0 else { throw RunError.rootFilesystemNeedsRoot(path: path) }
        guard let unshare = findProgram("unshare", path: environment["PATH"]) else {
            throw RunError.namespacesUnavailable(path: path, reason: "unshare from util-linux is not installed")
        }
        try await probeNamespaces(unshare: unshare, folder: path, environment: environment)
        return RootFilesystem(folder: folder, unshare: unshare)
    }

    /// Creates the same namespaces the run will, around `true`: a container without
    /// CAP_SYS_ADMIN, or a namespace limit of 0, fails here rather than half way through a boot.
    private static func probeNamespaces(unshare: String, folder: String, environment: [String: String]) async throws {
        let probe = ChildProcess(executable: unshare, arguments: ["--mount", "--pid", "--fork", "--", "true"],
                                 environment: environment)
        let outcome: ChildProcessOutcome
        do {
            outcome = try await probe.run()
        } catch let error as ChildProcessError {
            throw RunError.namespacesUnavailable(path: folder, reason: error.description)
        }
        guard outcome.succeeded else {
            throw RunError.namespacesUnavailable(path: folder, reason: outcome.errorTail.last ?? "unshare \(outcome.summary)")
        }
    }

    /// Whether `path` names a regular file inside `root` as a process chrooted there sees it.
    /// Symlinks resolve within `root` (an absolute link such as /bin/sh -> /usr/bin/dash means
    /// root's /usr/bin/dash, which a plain lookup from the host would get wrong).
    static func isProgram(_ path: String, inside root: URL) -> Bool {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var links = 0
        var info = stat()
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." { _ = resolved.popLast(); continue }
            let hostPath = ([root.path] + resolved + [name]).joined(separator: "/")
            guard lstat(hostPath, &info) == 0 else { return false }
            guard (info.st_mode & S_IFMT) == S_IFLNK else {
                resolved.append(name)
                continue
            }
            links += 1
            // The kernel's own limit on links in one lookup, so a loop ends.
            guard links <= 40, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: hostPath) else {
                return false
            }
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/").map(String.init) + pending
        }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The first executable `name` in `path`'s folders, then in the usual system folders
    /// (`sudo` and cron give a short PATH).
    static func findProgram(_ name: String, path: String?) -> String? {
        let folders = (path ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        for folder in folders where folder.hasPrefix("/") {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

// Booting inside the root filesystem: util-linux's `unshare` gives the run a private mount
// namespace (every mount below vanishes with it, none reaches the host) and a PID namespace
// (when its first process ends, the kernel kills everything left in it, even a daemon that
// escaped the process group; that first process is a shell that passes slugc's signals on to
// the app and ends with its exit status). Networking stays the host's, so the app answers on
// 127.0.0.1:PORT. The run folder (the runner's temporary folder) holds:
//   app/      the extracted slug, bind-mounted at /app
//   lower/    the root filesystem, bind-mounted read-only: the overlay's lower layer
//   upper/ work/   the overlay's writable layer: whatever the app writes outside /app lands here
//   root/     the overlay's mount point, the app's /
//   started   written just before the app's command starts: without it, setup failed
//   interrupted   written when a signal came during setup: then no failure either
//   ready-for-signals   written once the setup shell can receive signals

extension RootFilesystem {
    /// The PATH of a dyno: the host's folders mean nothing inside the root filesystem.
    static let dynoPath = "/usr/local/bin:/usr/bin:/bin"

    /// Boots `command` at `/app` in this root filesystem and waits for it. `boot` is the dyno
    /// boot of `SlugRunner` (`.profile.d`, then `$1` under bash); `environment` is the app's;
    /// `signals` are passed on to the app.
    func run(command: String, boot: String, runFolder: URL, environment: [String: String], signals: AsyncStream<Int32>?,
             gracePeriod: Duration? = nil, onOutput: @escaping @Sendable (OutputStream, String) -> Void) async throws -> ChildProcessOutcome {
        // --kill-child: if unshare itself is killed, the namespace's first process goes too.
        var process = ChildProcess(executable: unshare,
                                   arguments: ["--mount", "--pid", "--fork", "--kill-child", "--", "/bin/bash", "-c", Self.setupScript,
                                               "slugc-run-root", folder.path, runFolder.path, "cd /app || exit 1; " + boot, command],
                                   environment: environment, workingDirectory: runFolder)
        let held = Self.hold(signals, until: runFolder.appendingPathComponent("ready-for-signals"))
        defer { held.relay?.cancel() }
        process.forwardedSignals = held.signals
        process.signalGracePeriod = gracePeriod
        let outcome = try await process.run(onLine: onOutput)
        try checkStarted(runFolder: runFolder, outcome: outcome)
        return outcome
    }

    /// Passes `signals` on only once `marker` exists. Until the setup shell has its handlers,
    /// the kernel drops every signal sent to it (it is the namespace's first process), and a
    /// signal that came while the slug was being extracted would be sent at exactly that moment.
    private static func hold(_ signals: AsyncStream<Int32>?, until marker: URL) -> (signals: AsyncStream<Int32>?, relay: Task<Void, Never>?) {
        guard let signals else { return (nil, nil) }
        let (held, continuation) = AsyncStream<Int32>.makeStream()
        let relay = Task {
            for await signal in signals {
                while !FileManager.default.fileExists(atPath: marker.path) {
                    guard (try? await Task.sleep(for: .milliseconds(5))) != nil else { break }
                }
                continuation.yield(signal)
            }
            continuation.finish()
        }
        return (held, relay)
    }

    /// Throws `rootFilesystemSetupFailed` when the process ended before the app's command
    /// started, so a failed mount is not mistaken for the app's own exit status. A run stopped
    /// by a signal during setup just ends with that signal's status.
    private func checkStarted(runFolder: URL, outcome: ChildProcessOutcome) throws {
        for marker in ["started", "interrupted"]
        where FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(marker).path) {
            return
        }
        let reason = outcome.errorTail.last ?? "the setup \(outcome.summary)"
        throw RunError.rootFilesystemSetupFailed(path: folder.path, reason: reason)
    }

    /// Runs as the first process of the new namespaces, with the host's tools:
    /// `$1` root filesystem, `$2` run folder, `$3` the boot script for inside, `$4` the command.
    static let setupScript = #"""
        set -eu
        image=$1 run=$2 boot=$3 command=$4
        # slugc signals this process group: unshare, which keeps waiting, and this shell, which as
        # the first process of the PID namespace receives only signals it has a handler for.
        # The handler passes each on to the app's own process group, or keeps it until the app
        # exists (the setup's own commands die of it: the marker says that was no failure).
        # (No `return` in it: bash 5.2 then ends the whole shell with the signal's status.)
        app="" pending=""
        forward() {
            if [ -n "$app" ]; then
                kill -s "$1" -- "-$app" 2>/dev/null || true
            else
                pending=$1
                : >"$run/interrupted"
            fi
        }
        for signal in TERM INT HUP QUIT; do trap "forward $signal" "$signal"; done
        : >"$run/ready-for-signals"
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
        # From here this shell's own stderr is quiet (its "Terminated" when the app dies of a
        # signal is not the app's output); the app writes to the real one, kept on fd 3.
        exec 3>&2 2>/dev/null
        # In the background, so this shell stays the namespace's first process and can pass
        # signals on (the app would not receive them in its place). Job control gives the app
        # its own process group and leaves SIGINT at its default, which bash would otherwise
        # ignore in a background job.
        set -m
        PATH=$app_path "$chroot_program" "$root" /bin/bash -c "$boot" slugc-run "$command" 2>&3 3>&- &
        app=$!
        set +m
        if [ -n "$pending" ]; then kill -s "$pending" -- "-$app" 2>/dev/null || true; fi
        # wait also returns (128 + the signal) when a handler ran, and bash may already have
        # reaped the app by then, so only -p tells the app's own status apart: it names the
        # process whose status wait returned, and stays unset when a handler cut wait short.
        # (127 without a name: bash knows no such job, so there is nothing left to wait for.)
        while :; do
            status=0
            wait -n -p ended "$app" || status=$?
            if [ -n "${ended:-}" ] || [ "$status" -eq 127 ]; then break; fi
        done
        exit "$status"
        """#
}

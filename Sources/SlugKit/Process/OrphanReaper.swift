import CProcessControl
import Foundation

/// Processes a script leaves running outside its process group (`setsid sleep 1000 &`, a
/// daemon that forks twice): killing the group when the script ends misses them, and they
/// would keep running from a build folder that is about to be deleted.
///
/// Why the subreaper, and why the caller sets it: `PR_SET_CHILD_SUBREAPER` makes every orphaned
/// descendant a child of this process instead of init's, so after a script ends, whatever it
/// left behind is found among this process's children and killed. It is process-wide state,
/// and a library that runs inside a deploy server must not change that behind its back: the
/// server's own grandchildren would be adopted too, and then killed as a build's leftovers.
/// So SlugKit only asks the kernel (`isSubreaper`); a process that starts all of its children
/// through `ChildProcess` — the slugc CLI — opts in once with `becomeSubreaper()`. Other
/// designs were weighed: a small reaper process per script needs a binary of its own beside
/// every host; a cgroup or PID namespace needs root (and makes the script PID 1, which ignores
/// SIGTERM); marking scripts' environments leaks a per-build value into what buildpacks see
/// and can be cleared by the daemon. A host that does not opt in keeps the group kill.
public enum OrphanReaper {
    /// Makes this process the subreaper of everything its children start, so that
    /// `ChildProcess` can kill what a script leaves running when it ends. Call it only in a
    /// process whose children are all started by `ChildProcess`: any other child that outlives
    /// its parent is taken for a script's leftover. Returns false where the kernel has no
    /// subreapers (not Linux, or before 3.4).
    @discardableResult
    public static func becomeSubreaper() -> Bool {
        slugc_set_child_subreaper(1) == 0
    }

    /// Whether this process adopts orphaned descendants (the host called `becomeSubreaper`).
    public static var isSubreaper: Bool { slugc_is_child_subreaper() == 1 }

    /// The children `ChildProcess` started and has not yet seen end: never an orphan.
    static let leaders = RunningLeaders()

    /// Kills and reaps every child of this process that `ChildProcess` did not start: orphans
    /// adopted from a script that has ended. Killing one hands its own children to this
    /// process, so it goes round until none is left (bounded, for a fork bomb).
    static func killAdoptedOrphans() async {
        guard isSubreaper else { return }
        for _ in 0..<64 {
            // A child being spawned is not yet registered; wait for it rather than take it for an orphan.
            var waited = 0
            while leaders.spawning > 0, waited < 2000 {
                try? await Task.sleep(for: .milliseconds(1))
                waited += 1
            }
            let orphans = leaders.excluding(childrenOfThisProcess())
            if orphans.isEmpty { return }
            for pid in orphans { kill(pid, SIGKILL) }
            for pid in orphans { await reap(pid) }
        }
    }

    /// Waits (up to 5 s) for a killed orphan to be gone, and collects its exit status so it
    /// does not stay a zombie.
    private static func reap(_ pid: pid_t) async {
        var status: Int32 = 0
        for _ in 0..<5000 {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Every process whose parent is this one, from `/proc/<pid>/stat`.
    static func childrenOfThisProcess() -> [pid_t] {
        let me = getpid()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [pid_t] = []
        for entry in entries {
            guard let pid = pid_t(entry), pid != me, let parent = parentOf(pid), parent == me else { continue }
            children.append(pid)
        }
        return children
    }

    /// The fourth field of `/proc/<pid>/stat`, read after the last `)`: the command name
    /// before it may hold spaces and parentheses.
    private static func parentOf(_ pid: pid_t) -> pid_t? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1 else { return nil }
        return pid_t(fields[1])
    }
}

/// The process IDs of children `ChildProcess` is running, and how many it is starting.
final class RunningLeaders: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: Set<pid_t> = []
    private var starting = 0

    var spawning: Int { lock.withLock { starting } }

    func willSpawn() { lock.withLock { starting += 1 } }
    func spawned(_ pid: pid_t) { lock.withLock { starting -= 1; pids.insert(pid) } }
    func spawnFailed() { lock.withLock { starting -= 1 } }
    func ended(_ pid: pid_t) { lock.withLock { _ = pids.remove(pid) } }

    func excluding(_ children: [pid_t]) -> [pid_t] {
        lock.withLock { children.filter { !pids.contains($0) } }
    }
}

import Foundation

/// A git-ref build: which repository, which ref and commit, and where the app sits in the
/// user's folder, so hints can say where a missing file is instead.
struct GitSourceContext: Sendable {
    var repository: GitRepository
    var ref: String
    var commit: String
    /// `--app-dir` with a trailing "/", or "": git paths are relative to the user's folder.
    var appPath: String
}

/// Where a file the built commit lacks is: on another branch, in the working tree (untracked,
/// ignored or not committed), or deleted in the ref's history. Heroku builds the pushed commit,
/// not the working tree, and nothing else tells people that the file exists, just not there.
struct GitHints {
    var context: GitSourceContext
    /// Branches looked at, most recently committed first.
    static let branchLimit = 100
    static let namedBranches = 3

    func hints(forMissing markers: [DetectionRule.Marker]) async -> [String] {
        guard !markers.isEmpty else { return [] }
        let paths = markers.map { context.appPath + $0.path }
        let built = "\(context.ref) (commit \(context.commit.prefix(7)))"
        var hints: [String] = []
        let onBranches = await branchesHaving(paths)
        let status = await context.repository.workingTreeStatus(paths)
        let inHead = await context.repository.paths(paths, in: "HEAD")
        for path in paths {
            if let branches = onBranches[path], let first = branches.first {
                let more = branches.count > Self.namedBranches ? " and \(branches.count - Self.namedBranches) more" : ""
                let named = branches.prefix(Self.namedBranches).joined(separator: ", ") + more
                let which = branches.count == 1 ? "the branch \(first) has it: build that branch" : "the branches \(named) have it: build one"
                hints.append("'\(path)' is not in \(built), but \(which) with slugc build --git-ref \(first), or merge it into \(context.ref); to deploy it as it is, git push heroku \(first):main.")
            }
            if let (file, line) = status.ignored[path] {
                hints.append("'\(path)' is in the working tree but ignored by \(file) (line \(line)), so it was never committed and is not in \(built): remove that line (or git add -f \(path)), then git add \(path) && git commit.")
            } else if status.untracked.contains(path) {
                hints.append("'\(path)' is in the working tree but untracked, so it is not in \(built): git add \(path) && git commit, then build again.")
            } else if status.tracked.contains(path), !inHead.contains(path) {
                hints.append("'\(path)' is in the working tree but not committed, so it is not in \(built): git add \(path) && git commit, then build again.")
            }
            if let (commit, subject) = await deletion(of: path) {
                hints.append("'\(path)' was deleted from \(context.ref) in commit \(commit) (\"\(subject)\"): bring it back with git checkout \(commit)^ -- \(path) && git commit.")
            }
        }
        return hints
    }

    /// For each path, the branches (and a detached HEAD) whose tip has it, other than the commit built.
    private func branchesHaving(_ paths: [String]) async -> [String: [String]] {
        var candidates = await context.repository.branches(limit: Self.branchLimit)
        if let head = try? await context.repository.run(["symbolic-ref", "-q", "HEAD"]), head.exitCode == 1,
           let commit = try? await context.repository.commit("HEAD") {
            candidates.insert(("HEAD", commit), at: 0)
        }
        var found: [String: [String]] = [:]
        var seen = Set<String>()
        for (name, commit) in candidates where commit != context.commit && seen.insert(name).inserted {
            for path in await context.repository.paths(paths, in: commit) { found[path, default: []].append(name) }
        }
        return found
    }

    /// The commit (short hash and subject) that last deleted `path` in the history of the commit built.
    private func deletion(of path: String) async -> (String, String)? {
        guard let outcome = try? await context.repository.run(["log", "-1", "--diff-filter=D", "--format=%h%x00%s", context.commit, "--", path]),
              outcome.succeeded else { return nil }
        let fields = outcome.capturedOutput.trimmingCharacters(in: .newlines).split(separator: "\0", maxSplits: 1)
        guard fields.count == 2 else { return nil }
        return (String(fields[0]), String(fields[1]))
    }
}

/// What git says about files of the working tree.
struct WorkingTreeStatus {
    var tracked = Set<String>()
    var untracked = Set<String>()
    /// Path → the ignore file (relative to the folder when inside it) and the line that ignores it.
    var ignored: [String: (file: String, line: Int)] = [:]
}

extension GitRepository {
    /// Which of `paths` (relative to `folder`) the index tracks, which are untracked, which ignored.
    func workingTreeStatus(_ paths: [String]) async -> WorkingTreeStatus {
        var status = WorkingTreeStatus()
        let present = paths.filter { EntryKind.of(folder.appendingPathComponent($0).path) != .missing }
        guard !present.isEmpty else { return status }
        status.tracked = Set(await list(["ls-files", "-z", "--cached", "--"] + present))
        status.untracked = Set(await list(["ls-files", "-z", "--others", "--exclude-standard", "--"] + present))
        // Exit 1 means "nothing ignored"; other failures mean no hint.
        guard let outcome = try? await run(["check-ignore", "-v", "--"] + present), outcome.exitCode == 0 else { return status }
        for line in outcome.capturedOutput.split(separator: "\n") {
            // "<source>:<line>:<pattern>\t<path>"
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let path = String(line[line.index(after: tab)...])
            let fields = line[..<tab].split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let number = Int(fields[1]) else { continue }
            let file = fields[0].hasPrefix(folder.path + "/") ? String(fields[0].dropFirst(folder.path.count + 1)) : String(fields[0])
            status.ignored[path] = (file, number)
        }
        return status
    }

    /// Which of `paths` the tree of `commit` has.
    func paths(_ paths: [String], in commit: String) async -> Set<String> {
        Set(await list(["ls-tree", "-z", "--name-only", commit, "--"] + paths))
    }

    private func list(_ arguments: [String]) async -> [String] {
        guard let outcome = try? await run(arguments), outcome.succeeded else { return [] }
        return outcome.capturedOutput.split(separator: "\0").map(String.init).filter { $0 != "\n" }
    }
}

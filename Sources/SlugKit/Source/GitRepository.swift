import Foundation

/// A git repository, read with the `git` program and never written: slugc builds a commit's
/// tree through a throw-away index of its own, and asks git where a missing file is.
///
/// git runs with an explicit environment: PATH and HOME from the build's base environment (the
/// user's `safe.directory` lives in `~/.gitconfig`), no system config, English messages, no
/// prompts. Every command runs in `folder`, so paths are relative to it as the user sees them.
struct GitRepository: Sendable {
    /// The folder the user named: the top of the checkout or a folder inside it.
    let folder: URL
    let executable: String
    let environment: [String: String]

    init(folder: URL, baseEnvironment: [String: String]) throws(SourceError) {
        let path = baseEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let git = Curl.find("git", in: path) else { throw SourceError.gitNotFound(searchPath: path) }
        self.folder = folder
        executable = git
        var environment = ["PATH": path, "LANG": "C", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"]
        if let home = baseEnvironment["HOME"] { environment["HOME"] = home }
        self.environment = environment
    }

    /// Runs git and returns how it ended; `index` makes it use that index file instead of the repository's.
    func run(_ arguments: [String], index: URL? = nil, in directory: URL? = nil) async throws -> ChildProcessOutcome {
        var environment = environment
        if let index { environment["GIT_INDEX_FILE"] = index.path }
        let process = ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                   workingDirectory: directory ?? folder, timeout: .seconds(120), capturesOutput: true)
        return try await process.run()
    }

    /// Runs git and returns its stdout, or throws `SourceError.gitFailed` with what it said.
    func output(_ arguments: [String], index: URL? = nil, in directory: URL? = nil) async throws -> String {
        let outcome = try await run(arguments, index: index, in: directory)
        guard outcome.succeeded else {
            throw SourceError.gitFailed(command: arguments.first ?? "", repository: folder.path,
                                        outcome: outcome.summary, errorTail: outcome.errorTail)
        }
        return outcome.capturedOutput
    }

    /// Fails unless `folder` is inside a git work tree; returns the top of the work tree and the
    /// folder's path from there ("" or "api/").
    func location(building ref: String) async throws -> (top: URL, prefix: String) {
        let outcome = try await run(["rev-parse", "--is-inside-work-tree", "--show-toplevel", "--show-prefix"])
        guard outcome.succeeded else {
            if outcome.errorTail.contains(where: { $0.contains("not a git repository") }) {
                throw SourceError.notAGitRepository(path: folder.path, ref: ref)
            }
            throw SourceError.gitFailed(command: "rev-parse", repository: folder.path, outcome: outcome.summary, errorTail: outcome.errorTail)
        }
        let lines = outcome.capturedOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 1 else {
            throw SourceError.gitFailed(command: "rev-parse", repository: folder.path, outcome: "gave no top folder", errorTail: [])
        }
        return (URL(fileURLWithPath: lines[1], isDirectory: true), lines.count > 2 ? lines[2] : "")
    }

    /// The full hash of the commit `ref` names, or nil when it names none.
    func commit(_ ref: String) async throws -> String? {
        // "--end-of-options" keeps a ref that starts with "-" from being read as an option.
        let outcome = try await run(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"])
        guard outcome.succeeded else { return nil }
        let hash = outcome.capturedOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return hash.isEmpty ? nil : hash
    }

    /// Local and remote-tracking branches, most recently committed first, with their commits.
    func branches(limit: Int = 100) async -> [(name: String, commit: String)] {
        let format = "%(refname:short)%00%(objectname)%00%(symref)"
        guard let outcome = try? await run(["for-each-ref", "--sort=-committerdate", "--count=\(limit)", "--format=\(format)",
                                            "refs/heads", "refs/remotes"]), outcome.succeeded else { return [] }
        return outcome.capturedOutput.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\0", omittingEmptySubsequences: false)
            // origin/HEAD is a symbolic ref to a branch that is listed anyway.
            guard fields.count == 3, fields[2].isEmpty else { return nil }
            return (String(fields[0]), String(fields[1]))
        }
    }

    /// Writes exactly the tree of `commit` below the user's folder into `destination` (which must
    /// not exist): no `.git`, no untracked or ignored files, no uncommitted change; submodules
    /// are left out, as on Heroku. `scratch` holds the throw-away index.
    func checkout(_ commit: String, top: URL, prefix: String, ref: String, into destination: URL, scratch: URL) async throws {
        let treeish = prefix.isEmpty ? commit : "\(commit):\(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)"
        let index = scratch.appendingPathComponent("git-index")
        let read = try await run(["read-tree", "--end-of-options", treeish], index: index)
        guard read.succeeded else {
            if !prefix.isEmpty, read.errorTail.contains(where: { $0.contains("not a valid object name") || $0.contains("Not a valid object name") }) {
                throw SourceError.folderNotInCommit(folder: folder.path, ref: ref, commit: commit)
            }
            throw SourceError.gitFailed(command: "read-tree", repository: folder.path, outcome: read.summary, errorTail: read.errorTail)
        }
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        // From a folder inside the work tree, checkout-index would write only the entries below it.
        _ = try await output(["checkout-index", "--all", "--prefix=\(destination.path)/"], index: index, in: top)
        try? FileManager.default.removeItem(at: index)
    }
}

import Foundation

/// A git repository made by a test. git never sees this machine's configuration: HOME is a
/// folder of the test's and there is no system config; pass `environment` to slugc as well.
public struct GitFixture {
    public let folder: URL
    public let home: URL

    /// Creates `folder` as a new repository whose first branch is `branch`.
    public init(at folder: URL, home: URL, branch: String = "master") throws {
        self.folder = folder
        self.home = home
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try git("init", "-q", "-b", branch)
    }

    public var environment: [String: String] {
        ["HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1",
         "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
         "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"]
    }

    /// Runs git in the repository; throws with its stderr when it fails. Returns stdout, trimmed.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let result = try runCommand("/usr/bin/git", arguments, environment: environment, workingDirectory: folder)
        guard result.exitCode == 0 else { throw FixtureError(message: "git \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a file of the working tree, creating folders on the way.
    public func write(_ path: String, _ text: String = "") throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    /// `git add -A && git commit`; returns the new commit's hash.
    @discardableResult
    public func commitAll(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return try git("rev-parse", "HEAD")
    }
}

/// `tar -czf` (or `-cf`, `--zstd -cf` by the name's ending) of `folder`, with the folder's own
/// name as the single top-level entry, as GitHub and Heroku's Build API tarballs have it.
public func tarball(of folder: URL, at archive: URL) throws {
    let flag = archive.path.hasSuffix(".tar") ? "-cf" : archive.path.hasSuffix(".zst") ? "--zstd" : "-czf"
    let arguments = flag == "--zstd" ? ["--zstd", "-cf", archive.path] : [flag, archive.path]
    let result = try runCommand("/bin/tar", arguments + ["-C", folder.deletingLastPathComponent().path, folder.lastPathComponent])
    guard result.exitCode == 0 else { throw FixtureError(message: "tar of \(folder.path) failed: \(result.stderr)") }
}

/// One entry of a hand-made tarball: `kind` is file, dir, symlink, hardlink or chardev.
public struct TarballEntry {
    public var name: String
    public var kind: String
    public var content: String
    public var link: String
    public init(_ name: String, kind: String = "file", content: String = "", link: String = "") {
        self.name = name
        self.kind = kind
        self.content = content
        self.link = link
    }
}

/// Writes a gzip tarball with exactly `entries`, names as given: Python's tarfile writes what
/// GNU tar refuses to (`../x`, `/etc/x`, device files without mknod).
public func makeTarball(at archive: URL, entries: [TarballEntry]) throws {
    let script = """
        import io, json, sys, tarfile
        with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as tar:
            for entry in json.loads(sys.argv[2]):
                info = tarfile.TarInfo(entry["name"])
                data = entry["content"].encode()
                kinds = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                         "hardlink": tarfile.LNKTYPE, "chardev": tarfile.CHRTYPE}
                info.type = kinds[entry["kind"]]
                info.linkname = entry["link"]
                info.mode = 0o755 if entry["kind"] == "dir" else 0o644
                info.size = len(data) if entry["kind"] == "file" else 0
                tar.addfile(info, io.BytesIO(data) if entry["kind"] == "file" else None)
        """
    let list = entries.map { ["name": $0.name, "kind": $0.kind, "content": $0.content, "link": $0.link] }
    let json = String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)
    let result = try runCommand("/usr/bin/env", ["python3", "-c", script, archive.path, json])
    guard result.exitCode == 0 else { throw FixtureError(message: "making \(archive.path) failed: \(result.stderr)") }
}

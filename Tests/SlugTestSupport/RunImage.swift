import Foundation
import XCTest

// The bare run image that `slugc run --root` boots slugs in: a Debian root filesystem with the
// stack's run-time libraries and no python, swift or C compiler (Tests/run-image/make-run-image.sh).
// A slug that boots there needs nothing from the build machine. Helpers to check that a run
// left nothing behind live here too.

/// The run image named by `SLUGC_TEST_RUN_IMAGE`. When it is unset the test is skipped, except
/// under CI (`CI` set), where `.ci/run` builds the image and a missing one is a failure.
public func runImage() throws -> URL {
    let environment = ProcessInfo.processInfo.environment
    guard let path = environment["SLUGC_TEST_RUN_IMAGE"], !path.isEmpty else {
        if let ci = environment["CI"], !ci.isEmpty {
            throw FixtureError(message: "SLUGC_TEST_RUN_IMAGE is not set, and under CI the run image is required: .ci/run builds it with Tests/run-image/make-run-image.sh and exports the variable.")
        }
        throw XCTSkip("No run image: run Tests/run-image/make-run-image.sh DIR (as root) and set SLUGC_TEST_RUN_IMAGE=DIR")
    }
    let image = URL(fileURLWithPath: path, isDirectory: true)
    guard FileManager.default.fileExists(atPath: image.appendingPathComponent("etc/slugc-run-image").path) else {
        throw FixtureError(message: "SLUGC_TEST_RUN_IMAGE=\(path) is not an image made by Tests/run-image/make-run-image.sh (it has no etc/slugc-run-image). Run the script with that folder.")
    }
    return image
}

/// Writes `files` (relative path → text) into a new folder and packs it with `slugc pack`: a
/// slug made in the test, with a Procfile and `.profile.d` scripts as the test needs.
public func packSlug(_ files: [String: String], named name: String = "app", in temporary: TemporaryDirectory) throws -> URL {
    let folder = temporary.appending(name)
    for (path, text) in files {
        let file = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: false, encoding: .utf8)
    }
    let slug = temporary.appending("\(name).tgz")
    let packed = try slugc(["pack", folder.path, "-o", slug.path])
    guard packed.exitCode == 0 else { throw FixtureError(message: "slugc pack \(folder.path) failed: \(packed.stderr)") }
    return slug
}

/// Every entry under `directory` with its type, mode, owner, size, link target, mtime and ctime,
/// sorted: any write to a file or folder changes its line (ctime covers chmod and xattrs), so
/// equal listings mean the tree was not touched. Contents are not read, so it stays quick on a
/// whole root filesystem.
public func treeListing(_ directory: URL) throws -> [String] {
    let result = try runCommand("/usr/bin/find", [directory.path, "-printf", "%P\t%y\t%m\t%U:%G\t%s\t%l\t%T@\t%C@\n"])
    guard result.exitCode == 0 else { throw FixtureError(message: "find \(directory.path) failed: \(result.stderr)") }
    return result.stdout.split(separator: "\n").map(String.init).sorted()
}

/// The mount points this process sees (field 5 of /proc/self/mountinfo), in order.
public func mountPoints() throws -> [String] {
    let table = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
    return table.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        return fields.count > 4 ? String(fields[4]) : nil
    }
}

/// The process ids whose name (argv[0]) starts with `prefix`: proves a run left no process
/// behind (give the test's processes a unique name with bash's `exec -a NAME`).
public func processes(named prefix: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              let name = data.split(separator: 0).first else { return false }
        return String(decoding: name, as: UTF8.self).hasPrefix(prefix)
    }.sorted()
}

/// Polls `condition` every 50 ms for up to `seconds`; true once it holds.
public func eventually(seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

extension RunningApp {
    /// Waits until the app answers GET `path` on its port. Fails at once, with everything the
    /// process printed, when it exits first (a slug that cannot boot says why instead of timing out).
    public func waitForHTTP(path: String = "/", seconds: Double = 30) throws -> HTTPResponse {
        let deadline = Date().addingTimeInterval(seconds)
        var lastError: Error = FixtureError(message: "no attempt was made")
        while Date() < deadline {
            guard process.isRunning else {
                throw FixtureError(message: "the process exited with status \(process.terminationStatus) before answering HTTP on port \(port). It printed:\n\(output)")
            }
            do { return try httpGet(port: port, path: path) } catch { lastError = error }
            usleep(100_000)
        }
        throw FixtureError(message: "nothing answered HTTP on port \(port) within \(Int(seconds)) s (\(lastError)). The process printed:\n\(output)")
    }
}

import SlugTestSupport
import XCTest

/// `-o` must name a regular file or a new one, in a folder that takes files; anything else is
/// refused before any build work (exit 64), and the thing it names is left as it was.
final class OutputPathTests: XCTestCase {
    var temporary: TemporaryDirectory!
    /// Written by the buildpack's compile: it must not exist after a refused build.
    var marker: URL { temporary.appending("compile-ran") }

    override func setUpWithError() throws { temporary = try TemporaryDirectory() }
    override func tearDown() { temporary.remove() }

    /// `slugc build` and `slugc pack` with `-o output`; both must refuse it with `message`.
    private func assertRefused(_ output: URL, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let app = try procfileApp(in: temporary, name: "app-\(UUID().uuidString.prefix(4))")
        let buildpack = try scriptBuildpack("bp-\(UUID().uuidString.prefix(4))", in: temporary,
                                            compile: "#!/bin/sh\ntouch '\(marker.path)'\n")
        let build = try slugc(["build", app.path, "-o", output.path, "--buildpack", buildpack.path])
        XCTAssertEqual(build.exitCode, 64, build.output, file: file, line: line)
        XCTAssertEqual(build.stderr, " !     \(message)\n", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the build ran before -o was checked", file: file, line: line)
        let pack = try slugc(["pack", app.path, "-o", output.path])
        XCTAssertEqual(pack.exitCode, 64, pack.output, file: file, line: line)
        XCTAssertEqual(pack.stderr, " !     \(message)\n", file: file, line: line)
    }

    private func kind(_ path: URL) -> mode_t {
        var info = stat()
        return lstat(path.path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    func testAFIFOIsRefusedAndKept() throws {
        let fifo = temporary.appending("slug.fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        try assertRefused(fifo, "\(fifo.path) is a FIFO (named pipe), not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output).")
        XCTAssertEqual(kind(fifo), S_IFIFO)
    }

    func testASocketIsRefusedAndKept() throws {
        let socketPath = temporary.appending("s.sock")
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        try assertRefused(socketPath, "\(socketPath.path) is a socket, not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output).")
        XCTAssertEqual(kind(socketPath), S_IFSOCK)
    }

    func testADeviceNodeIsRefusedAndKept() throws {
        // A copy of /dev/null's node in the test's folder: the real one is never at risk.
        let device = temporary.appending("null")
        guard mknod(device.path, S_IFCHR | 0o666, dev_t(0x103)) == 0 else { throw XCTSkip("mknod needs root") }
        try assertRefused(device, "\(device.path) is a character device, not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output).")
        XCTAssertEqual(kind(device), S_IFCHR)
        // And a link to it, as /dev/stdout is a link.
        let link = temporary.appending("null-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: device.path)
        try assertRefused(link, "\(link.path) is a symlink to a character device, not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output).")
    }

    func testALinkToAProcessesOpenFileIsRefused() throws {
        let link = temporary.appending("stdout-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/proc/self/fd/1")
        try assertRefused(link, "\(link.path) is a link to an open file of a process (/proc/self/fd/1), not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output).")
        XCTAssertEqual(kind(link), S_IFLNK)
    }

    func testAFolderIsRefused() throws {
        let folder = temporary.appending("slugs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try assertRefused(folder, "\(folder.path) is a folder, not a file. Name the slug's file, e.g. \(folder.path)/slug.tgz.")
    }

    func testAReadOnlyFileSystemIsRefused() throws {
        let mountPoint = temporary.appending("readonly")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mountPoint.path]).succeeded else {
            throw XCTSkip("mounting a read-only tmpfs needs root")
        }
        defer { _ = try? runCommand("/bin/umount", [mountPoint.path]) }
        let output = mountPoint.appendingPathComponent("slug.tgz")
        try assertRefused(output, "\(output.path): cannot write the slug in \(mountPoint.path): it is on a read-only file system. Write it to a folder you can write to.")
    }

    func testALinkAnotherUserPlantedInASharedFolderIsRefused() throws {
        // /tmp's situation: sticky and world-writable, and a link there that someone else made.
        let shared = temporary.appending("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        XCTAssertEqual(chmod(shared.path, 0o1777), 0)
        let victim = temporary.appending("victim.txt")
        try Data("precious".utf8).write(to: victim)
        let link = shared.appendingPathComponent("slug.tgz")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: victim.path)
        guard lchown(link.path, 65534, 65534) == 0 else { throw XCTSkip("giving the link to another user needs root") }
        try assertRefused(link, "\(link.path) is a symlink another user made in the shared folder \(shared.path), not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output).")
        XCTAssertEqual(try String(contentsOf: victim, encoding: .utf8), "precious")
    }

    func testASymlinkToARegularFileIsWrittenThroughAndStaysALink() throws {
        let app = try procfileApp(in: temporary)
        let target = temporary.appending("releases/v3.tgz")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: target)
        let link = temporary.appending("current.tgz")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "releases/v3.tgz")
        let pack = try slugc(["pack", app.path, "-o", link.path])
        XCTAssertEqual(pack.exitCode, 0, pack.output)
        XCTAssertEqual(kind(link), S_IFLNK)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), "releases/v3.tgz")
        XCTAssertEqual(try Data(contentsOf: target).prefix(2), Data([0x1F, 0x8B]), "the link's file holds the slug")
        XCTAssertEqual(names(in: target.deletingLastPathComponent()), ["v3.tgz"], "a temporary file was left")
    }
}

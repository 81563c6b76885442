import Foundation
import SlugTestSupport
import XCTest

/// Tarballs as sources: a file, standard input, zstd; a single top-level folder is the app;
/// entries that would land outside the build folder are refused, and nothing is written there.
final class SourceArchiveTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var scratch: URL { temporary.appending("tmp") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-tarball")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { temporary?.remove() }

    private func build(_ arguments: [String]) throws -> CommandResult {
        try slugc(["build"] + arguments, environment: ["TMPDIR": scratch.path])
    }

    private func siteTarball(_ name: String = "site.tgz") throws -> URL {
        let archive = temporary.appending(name)
        try tarball(of: try fixture("static-site", in: temporary, as: "site-\(UUID().uuidString.prefix(6))"), at: archive)
        return archive
    }

    func testATarballFileBuildsItsOnlyTopLevelFolder() throws {
        for name in ["site.tgz", "site.tar", "site.tar.zst"] {
            let slug = temporary.appending("slug-\(name).tgz")
            let result = try build([try siteTarball(name).path, "-o", slug.path])
            XCTAssertEqual(result.exitCode, 0, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("-----> Static HTML app detected\n"), result.stdout)
            let listing = try tarListing(slug)
            XCTAssertTrue(listing.contains("./app/index.html"), "\(name): \(listing)")
            XCTAssertTrue(listing.contains("./app/about/index.html"), "\(name): \(listing)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testStdinToStdoutGivesAValidSlugAndACleanStdout() throws {
        let archive = try siteTarball("app.tar")
        let slug = temporary.appending("slug.tgz")
        let result = try runCommand("/bin/bash", ["-c", "\"$0\" build - -o - < \"$1\" > \"$2\"", slugcExecutable.path, archive.path, slug.path],
                                    environment: ["SLUGC_BUILDPACKS": builtInBuildpacks.path, "TMPDIR": scratch.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("-----> Slug written to standard output\n"), result.stderr)
        XCTAssertEqual(result.stdout, "", "the shell's own stdout got something")
        // Every byte of stdout is the slug: system tar reads it, and inspect checks its checksum.
        XCTAssertTrue(try tarListing(slug).contains("./app/index.html"))
        let inspected = try slugc(["inspect", slug.path, "--json"])
        XCTAssertEqual(inspected.exitCode, 0, inspected.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        XCTAssertTrue(result.stderr.contains("checksum \(release["checksum"] as? String ?? "?")"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testEntriesThatWouldLeaveTheBuildFolderAreRefused() throws {
        let cases: [(String, [TarballEntry], String)] = [
            ("dotdot", [TarballEntry("index.html", content: "hi"), TarballEntry("../escaped.txt", content: "out")], "../escaped.txt"),
            ("absolute", [TarballEntry("index.html", content: "hi"), TarballEntry("\(temporary.url.path)/absolute.txt", content: "out")],
             "\(temporary.url.path)/absolute.txt"),
            ("symlink", [TarballEntry("index.html", content: "hi"), TarballEntry("evil", kind: "symlink", link: temporary.url.path),
                         TarballEntry("evil/through-link.txt", content: "out")], "evil -> \(temporary.url.path)"),
            ("relative-link", [TarballEntry("index.html", content: "hi"), TarballEntry("up", kind: "symlink", link: "../../.."),
                               TarballEntry("up/through-link.txt", content: "out")], "up -> ../../.."),
            ("hardlink", [TarballEntry("index.html", content: "hi"), TarballEntry("hard", kind: "hardlink", link: "../../etc/passwd")],
             "hard (hard link to ../../etc/passwd)"),
        ]
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: temporary.url.path))
        for (name, entries, entry) in cases {
            let archive = temporary.appending("\(name).tgz")
            try makeTarball(at: archive, entries: entries)
            let slug = temporary.appending("\(name)-slug.tgz")
            let result = try build([archive.path, "-o", slug.path])
            XCTAssertEqual(result.exitCode, 64, "\(name): \(result.stderr)")
            XCTAssertEqual(result.stderr, " !     \(archive.path): refusing the entry '\(entry)': it would be written outside the build folder, so nothing was built. Make the tarball from inside the app's folder, e.g. tar -czf app.tgz -C myapp .\n", name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path), name)
        }
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: temporary.url.path))
        XCTAssertEqual(after.subtracting(before), Set(cases.map { "\($0.0).tgz" }), "something was written outside the build folder")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/escaped.txt"))
    }

    func testDeviceFilesAreSkippedWithAWarning() throws {
        let archive = temporary.appending("device.tgz")
        try makeTarball(at: archive, entries: [TarballEntry("index.html", content: "<h1>hi</h1>"), TarballEntry("null", kind: "chardev")])
        let slug = temporary.appending("slug.tgz")
        let result = try build([archive.path, "-o", slug.path, "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let warning = "skipped 'null' of the source tarball: devices, FIFOs and sockets are never unpacked."
        XCTAssertTrue(result.stderr.contains(" !     Warning: \(warning)\n"), result.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["warnings"] as? [String], [warning])
        XCTAssertFalse(try tarListing(slug).contains("./app/null"))
    }

    func testWhatIsNotATarballSaysSo() throws {
        let notes = temporary.appending("notes.txt")
        try "just text\n".write(to: notes, atomically: false, encoding: .utf8)
        let result = try build([notes.path, "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(result.exitCode, 64)
        XCTAssertTrue(result.stderr.hasPrefix(" !     \(notes.path) is not a tarball slugc can read ("), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("). Give a .tar, .tar.gz, .tgz or .tar.zst archive of the app, or its folder.\n"), result.stderr)

        let empty = try runCommand("/bin/bash", ["-c", "\"$0\" detect - < /dev/null", slugcExecutable.path],
                                   environment: ["SLUGC_BUILDPACKS": builtInBuildpacks.path, "TMPDIR": scratch.path])
        XCTAssertEqual(empty.exitCode, 64)
        XCTAssertTrue(empty.stderr.hasPrefix(" !     standard input is not a tarball slugc can read ("), empty.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }
}

import Foundation
import SlugTestSupport
import XCTest

/// `SLUGC_CACHE_LINKS`: a buildpack leaves a symlink to a folder of its cache instead of a
/// copy; the slug is the one a copy gives, nothing written later reaches the cache, and a bad
/// list stops the build with the line and the buildpack.
final class CacheLinkTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory() }
    override func tearDown() { temporary.remove() }

    /// Fills `$CACHE_DIR/lib` on the first build, then puts it at `BUILD_DIR/vendor/lib`: as a
    /// listed link when `linking` (on a CRLF line, which is read as the line it ends), else as a copy.
    private func cachingBuildpack(_ folder: String, linking: Bool) throws -> URL {
        let place = linking
            ? "ln -s \"$2/lib\" \"$1/vendor/lib\"\nprintf 'vendor/lib\\r\\n' >> \"$SLUGC_CACHE_LINKS\"\n"
            : "cp -a \"$2/lib\" \"$1/vendor/lib\"\n"
        let compile = """
        #!/bin/sh
        set -e
        if [ ! -d "$2/lib" ]; then
            mkdir -p "$2/lib/sub" "$2/lib/empty"
            echo a > "$2/lib/a.txt"; echo b > "$2/lib/sub/b.txt"; ln -s a.txt "$2/lib/link"
            chmod 755 "$2/lib/a.txt"
        fi
        mkdir -p "$1/vendor"
        \(place)
        """
        return try scriptBuildpack("\(folder)/vendoring", in: temporary, compile: compile)
    }

    private func build(_ app: URL, _ slug: URL, cache: URL, buildpacks: [URL], tmp: URL) throws -> CommandResult {
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        return try slugc(["build", app.path, "-o", slug.path, "--cache-dir", cache.path]
                         + buildpacks.flatMap { ["--buildpack", $0.path] }, environment: ["TMPDIR": tmp.path])
    }

    func testALinkedCacheFolderGivesTheSlugACopyWouldGive() throws {
        let app = try procfileApp(in: temporary)
        let tmp = temporary.appending("tmp")
        let copied = temporary.appending("copied.tgz"), linked = temporary.appending("linked.tgz")
        let copying = try build(app, copied, cache: temporary.appending("cache-copy"),
                                buildpacks: [try cachingBuildpack("copying", linking: false)], tmp: tmp)
        XCTAssertEqual(copying.exitCode, 0, copying.stderr)
        let cache = temporary.appending("cache-link")
        let linker = try cachingBuildpack("linking", linking: true)
        for round in 1...2 {
            let linking = try build(app, linked, cache: cache, buildpacks: [linker], tmp: tmp)
            XCTAssertEqual(linking.exitCode, 0, linking.stderr)
            XCTAssertEqual(try Data(contentsOf: linked), try Data(contentsOf: copied), "round \(round)")
        }
        let extracted = try extractWithSystemTar(linked, in: temporary)
        XCTAssertEqual(readText(extracted.appendingPathComponent("vendor/lib/sub/b.txt")), "b\n")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: extracted.appendingPathComponent("vendor/lib/link").path), "a.txt")
        // The build folder is gone, and the cache with it untouched.
        XCTAssertEqual(names(in: tmp), [])
        XCTAssertEqual(readText(cache.appendingPathComponent("vendoring/lib/a.txt")), "a\n")
    }

    func testWhatRunsAfterTheBuildpackWritesToACopyNotToTheCache() throws {
        let app = try procfileApp(in: temporary)
        let hook = app.appendingPathComponent("bin/post_compile")
        try FileManager.default.createDirectory(at: hook.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("#!/bin/sh\necho hook > vendor/lib/hook.txt\n".utf8).write(to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let editor = try scriptBuildpack("editor", in: temporary, compile: "#!/bin/sh\nset -e\nrm \"$1/vendor/lib/a.txt\"\necho new > \"$1/vendor/lib/new.txt\"\n")
        let cache = temporary.appending("cache")
        let slug = temporary.appending("slug.tgz")
        let result = try build(app, slug, cache: cache, buildpacks: [try cachingBuildpack("linking", linking: true), editor],
                               tmp: temporary.appending("tmp"))
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.output.contains("       Copying vendor/lib out of the cache before buildpack editor runs\n"), result.output)
        let extracted = try extractWithSystemTar(slug, in: temporary)
        XCTAssertEqual(names(in: extracted.appendingPathComponent("vendor/lib")), ["empty", "hook.txt", "link", "new.txt", "sub"])
        XCTAssertEqual(names(in: cache.appendingPathComponent("vendoring/lib")), ["a.txt", "empty", "link", "sub"])

        // The app's hook alone also gets a copy.
        let hookOnly = try build(app, slug, cache: temporary.appending("cache-2"), buildpacks: [try cachingBuildpack("linking", linking: true)],
                                 tmp: temporary.appending("tmp"))
        XCTAssertEqual(hookOnly.exitCode, 0, hookOnly.stderr)
        XCTAssertTrue(hookOnly.output.contains("       Copying vendor/lib out of the cache before bin/post_compile runs\n"), hookOnly.output)
        XCTAssertEqual(names(in: temporary.appending("cache-2/vendoring/lib")), ["a.txt", "empty", "link", "sub"])
    }

    func testABadListStopsTheBuildWithItsLineAndBuildpack() throws {
        let app = try procfileApp(in: temporary)
        let outside = temporary.appending("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let cases: [(setup: String, entry: String, reason: String)] = [
            ("", "/etc", "it is not a plain path relative to BUILD_DIR"),
            ("", "vendor/../x", "it is not a plain path relative to BUILD_DIR"),
            ("mkdir -p \"$1/real\"", "real", "there is no symlink there"),
            ("ln -s \(outside.path) \"$1/out\"", "out", "it does not lead to a folder in the buildpack's cache folder (CACHE)"),
            ("echo x > \"$2/file\"; ln -s \"$2/file\" \"$1/f\"", "f", "it does not lead to a folder in the buildpack's cache folder (CACHE)"),
            ("mkdir -p \"$2/lib\"; ln -s \"$2\" \"$1/up\"", "up/lib", "a folder on its way is a symlink"),
        ]
        for (index, item) in cases.enumerated() {
            // A blank first line: lines are counted as the file has them.
            let compile = "#!/bin/sh\necho >> \"$SLUGC_CACHE_LINKS\"\n\(item.setup)\necho \"\(item.entry)\" >> \"$SLUGC_CACHE_LINKS\"\n"
            let buildpack = try scriptBuildpack("bad\(index)/listing", in: temporary, compile: compile)
            let cache = temporary.appending("cache-\(index)")
            let slug = temporary.appending("bad.tgz")
            let result = try build(app, slug, cache: cache, buildpacks: [buildpack], tmp: temporary.appending("tmp"))
            XCTAssertEqual(result.exitCode, 30, result.stderr)
            let reason = item.reason.replacingOccurrences(of: "CACHE", with: cache.appendingPathComponent("listing").path)
            XCTAssertTrue(result.stderr.contains(" !     Buildpack listing listed \"\(item.entry)\" on line 2 of its $SLUGC_CACHE_LINKS file, but \(reason). Each line must be the path, relative to BUILD_DIR, of a symlink to a folder in the buildpack's CACHE_DIR; fix the buildpack, or have it copy the folder instead.\n"),
                          "case \(index): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
            XCTAssertEqual(names(in: temporary.appending("tmp")), [])
        }
    }
}

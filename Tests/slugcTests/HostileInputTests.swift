import Foundation
import SlugTestSupport
import XCTest

/// Input a hostile or careless user gives the real CLI: buildpack archives made every way,
/// symlinks out of the app, FIFOs, YAML bombs, archives that expand without end, and a build by
/// an ordinary user. Each gets its exit code and exact message, and leaves nothing behind.
final class HostileInputTests: XCTestCase {
    var temporary: TemporaryDirectory!
    /// TMPDIR of every run, so a test can see that nothing was left in it.
    var scratch: URL { temporary.appending("tmp") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-hostile")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { temporary.remove() }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try slugc(arguments, environment: ["TMPDIR": scratch.path].merging(environment) { _, given in given })
    }

    private func write(_ files: [String: String], in folder: URL, executable: Bool = false) throws {
        for (path, text) in files {
            let file = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        }
    }

    /// A classic buildpack whose release prints `release`.
    private func classicBuildpack(_ name: String, release: String = "--- {default_process_types: {web: ./start}}") throws -> URL {
        let folder = temporary.appending(name)
        try write(["bin/detect": "#!/bin/sh\necho Hostile\n", "bin/compile": "#!/bin/sh\necho compiled\n",
                   "bin/release": "#!/bin/sh\ncat <<'YAML'\n\(release)\nYAML\n"], in: folder, executable: true)
        return folder
    }

    private func app(_ files: [String: String] = ["index.html": "<h1>hi</h1>\n"]) throws -> URL {
        let folder = temporary.appending("app")
        try write(files, in: folder)
        return folder
    }

    private func leftInScratch() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.path)
    }

    // MARK: Buildpack archives

    func testAnArchiveMadeFromInsideTheBuildpackWhoseOnlyFolderIsBinBuilds() throws {
        let buildpack = try classicBuildpack("bp")
        let archive = temporary.appending("bp.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", buildpack.path, "."]).exitCode, 0)
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path, "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("-----> Hostile app detected\n"), result.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["process_types"] as? [String: String], ["web": "./start"])
        XCTAssertEqual(try leftInScratch(), [])
    }

    func testAnArchiveWithNoBuildpackInItIsNamedAsTheUserGaveIt() throws {
        try write(["docs/readme.txt": "no buildpack here\n"], in: temporary.appending("notabuildpack"))
        let archive = temporary.appending("docs.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", temporary.appending("notabuildpack").path, "."]).exitCode, 0)
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, " !     \(archive.path): the archive holds no buildpack: neither its top level nor a single folder in it has bin/compile or buildpack.yml (its top level holds 'docs'). Make it from inside the buildpack's folder, e.g. tar czf docs.tgz -C mybuildpack .\n")
        XCTAssertEqual(try leftInScratch(), [])
    }

    func testAnErrorInsideAnArchivedBuildpackNamesTheArchiveNotATemporaryFolder() throws {
        try write(["mine/buildpack.yml": "id: mine\ndetect: {file: index.html}\ncolour: blue\n", "mine/bin/compile": "#!/bin/sh\n"],
                  in: temporary.appending("src"))
        let archive = temporary.appending("mine.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", temporary.appending("src").path, "mine"]).exitCode, 0)
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, " !     \(archive.path)/buildpack.yml:3: unknown key 'colour'. The keys are id, name, description, detect, requires and process_types.\n")
    }

    func testAFailingDetectScriptInAnArchiveIsNamedByTheArchive() throws {
        let buildpack = try classicBuildpack("broken")
        try write(["bin/detect": "#!/bin/sh\necho 'cannot decide' >&2\nexit 2\n"], in: buildpack, executable: true)
        let archive = temporary.appending("broken.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", buildpack.path, "."]).exitCode, 0)
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, """
             !     The detect script of buildpack '\(archive.path)' failed: \(archive.path)/bin/detect exited with status 2. A detect script exits 0 for "yes" and 1 for "no"; anything else is an error.
             !     Last lines of its stderr:
             !       cannot decide
             !     Fix the script (run '\(archive.path)/bin/detect <app folder>' to try it), or set another buildpack with --buildpack.

            """)
    }

    func testABuildpackArchiveThatExpandsPastTheLimitIsRefused() throws {
        let buildpack = try classicBuildpack("big")
        try Data(count: 3 << 20).write(to: buildpack.appendingPathComponent("zeros.bin"))
        let archive = temporary.appending("big.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", buildpack.path, "."]).exitCode, 0)
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path],
                             environment: ["SLUGC_MAX_UNPACKED_SIZE": "2M"])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, " !     \(archive.path): the archive expands to more than 2.0M when unpacked, so slugc stopped unpacking it: a buildpack is scripts, not data. Remove what it does not need, or raise the limit with --max-unpacked-size (or SLUGC_MAX_UNPACKED_SIZE).\n")
        XCTAssertEqual(try leftInScratch(), [])
        // The flag wins over the variable.
        let raised = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path,
                              "--max-unpacked-size", "4M"], environment: ["SLUGC_MAX_UNPACKED_SIZE": "2M"])
        XCTAssertEqual(raised.exitCode, 0, raised.stderr)
    }

    func testASourceTarballThatExpandsPastTheLimitIsRefused() throws {
        let source = try app(["index.html": "<h1>hi</h1>\n"])
        try Data(count: 3 << 20).write(to: source.appendingPathComponent("zeros.bin"))
        let archive = temporary.appending("app.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", source.path, "."]).exitCode, 0)
        let output = temporary.appending("slug.tgz")
        let result = try run(["build", archive.path, "-o", output.path, "--max-unpacked-size", "2M"])
        XCTAssertEqual(result.exitCode, 64, result.stderr)
        XCTAssertEqual(result.stderr, " !     \(archive.path) expands to more than 2.0M when unpacked, so slugc stopped unpacking it and built nothing. Leave build outputs, dependencies and data out of the source, or raise the limit with --max-unpacked-size (or SLUGC_MAX_UNPACKED_SIZE).\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertEqual(try leftInScratch(), [])
        let detect = try run(["detect", archive.path], environment: ["SLUGC_MAX_UNPACKED_SIZE": "2M"])
        XCTAssertEqual(detect.exitCode, 64, detect.stderr)
        XCTAssertTrue(detect.stderr.hasPrefix(" !     \(archive.path) expands to more than 2.0M when unpacked"), detect.stderr)
        let bad = try run(["build", archive.path, "-o", output.path, "--max-unpacked-size", "lots"])
        XCTAssertEqual(bad.exitCode, 64)
        XCTAssertTrue(bad.stderr.contains("--max-unpacked-size lots: not a size; write e.g. 4G or 500M."), bad.stderr)
    }

    // MARK: YAML

    func testAnAliasBombFromBinReleaseIsRefusedWithTheLineAndColumn() throws {
        var lines = [#"a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]"#]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        let buildpack = try classicBuildpack("bomb", release: lines.joined(separator: "\n"))
        let output = temporary.appending("slug.tgz")
        let result = try run(["build", try app().path, "-o", output.path, "--buildpack", buildpack.path])
        XCTAssertEqual(result.exitCode, 40, result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix(" !     bin/release of buildpack bomb printed invalid release YAML (line 6 of its output): at column 4, its aliases expand the document past 100000 nodes (a YAML alias bomb), and slugc refuses documents that large: write the values out instead of nesting aliases. Fix the buildpack's bin/release so it prints addons, config_vars and default_process_types.\n"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertEqual(try leftInScratch(), [])
    }

    // MARK: What the copy stage leaves out

    func testSlugIgnoreWarningsAndSpecialFilesAreShownAndInTheJSONWarnings() throws {
        let source = try app(["index.html": "<h1>hi</h1>\n", ".slugignore": "!keep.log\n../outside\n*.log\n", "run/keep.log": "x\n"])
        XCTAssertEqual(mkfifo(source.appendingPathComponent("run/control").path, 0o600), 0)
        let result = try run(["build", source.path, "-o", temporary.appending("slug.tgz").path, "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let expected = [
            ".slugignore:1: '!keep.log' uses negation, which .slugignore does not support; the line is skipped.",
            ".slugignore:2: '../outside' names no path inside the app; the line is skipped.",
            "run/control: left out of the build: it is a FIFO, a socket or a device, which a slug cannot hold. Remove it from the app (it is usually made at run time).",
        ]
        for warning in expected { XCTAssertTrue(result.stderr.contains(" !     Warning: \(warning)\n"), result.stderr) }
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((release["warnings"] as? [String]).map { Array($0.prefix(3)) }, expected)
        let listing = try tarListing(temporary.appending("slug.tgz"))
        XCTAssertFalse(listing.contains { $0.hasSuffix("run/control") || $0.hasSuffix("keep.log") }, "\(listing)")
    }

    func testPackLeavesOutAFIFOWithAWarning() throws {
        let folder = try app(["index.html": "<h1>hi</h1>\n"])
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("control").path, 0o600), 0)
        let result = try run(["pack", folder.path, "-o", temporary.appending("packed.tgz").path, "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let warning = "control: left out of the slug: it is a FIFO, a socket or a device, which a slug cannot hold. Remove it from the app (it is usually made at run time)."
        XCTAssertTrue(result.stderr.contains(" !     Warning: \(warning)\n"), result.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((release["warnings"] as? [String])?.filter { $0.hasPrefix("control") }, [warning])
        XCTAssertFalse(try tarListing(temporary.appending("packed.tgz")).contains { $0.hasSuffix("control") })
    }

    // MARK: Symlinks out of the app

    func testAProcfileLinkedOutsideTheAppIsRefusedAndOneLinkedInsideIsRead() throws {
        let source = try app(["index.html": "<h1>hi</h1>\n", "config/Procfile": "web: ./serve\n"])
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("Procfile").path, withDestinationPath: "/etc/passwd")
        let output = temporary.appending("slug.tgz")
        let refused = try run(["build", source.path, "-o", output.path])
        XCTAssertEqual(refused.exitCode, 40, refused.stderr)
        XCTAssertTrue(refused.stderr.hasSuffix(" !     Procfile is a symlink to /etc/passwd, which leads outside the app, so slugc did not read it. Put the file itself in the app instead of a link (e.g. cp --remove-destination \"$(readlink -f Procfile)\" Procfile), and commit it.\n"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))

        try FileManager.default.removeItem(at: source.appendingPathComponent("Procfile"))
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("Procfile").path, withDestinationPath: "config/Procfile")
        let built = try run(["build", source.path, "-o", output.path, "--json"])
        XCTAssertEqual(built.exitCode, 0, built.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["process_types"] as? [String: String], ["web": "./serve"])
    }

    func testASlugIgnoreLinkedOutsideTheAppIsRefused() throws {
        let source = try app()
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent(".slugignore").path, withDestinationPath: "../../../../etc/hostname")
        let result = try run(["build", source.path, "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(result.exitCode, 64, result.stderr)
        XCTAssertEqual(result.stderr, " !     .slugignore is a symlink to ../../../../etc/hostname, which leads outside the app, so slugc did not read it. Put the file itself in the app instead of a link (e.g. cp --remove-destination \"$(readlink -f .slugignore)\" .slugignore), and commit it.\n")
        XCTAssertEqual(try leftInScratch(), [])
    }

    func testAHostileGitHeadPutsNoHostFileIntoSourceVersion() throws {
        let buildpack = try classicBuildpack("version")
        try write(["bin/compile": "#!/bin/sh\necho \"SOURCE_VERSION=${SOURCE_VERSION:-unset}\"\n"], in: buildpack, executable: true)
        let commit = String(repeating: "ab12", count: 10)
        let heads: [(String, String?, String)] = [
            ("ref: refs/heads/main\n", commit + "\n", commit),
            ("ref: refs/../../../../../../etc/hostname\n", nil, "unset"),
            ("ref: ../../../../../../etc/hostname\n", nil, "unset"),
        ]
        for (head, main, expected) in heads {
            let source = try app()
            try write([".git/HEAD": head], in: source)
            if let main { try write([".git/refs/heads/main": main], in: source) }
            let result = try run(["build", source.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path])
            XCTAssertEqual(result.exitCode, 0, result.stderr)
            XCTAssertTrue(result.output.contains("       SOURCE_VERSION=\(expected)\n"), result.output)
            try FileManager.default.removeItem(at: source)
        }
        let source = try app()
        try FileManager.default.createDirectory(at: source.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent(".git/HEAD").path, withDestinationPath: "/etc/hostname")
        let result = try run(["build", source.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path])
        XCTAssertTrue(result.output.contains("       SOURCE_VERSION=unset\n"), result.output)
    }

    // MARK: slugc run

    /// A slug made by hand, `./app/` holding `files` and, if given, `.slugc/release.json` as a link.
    private func handMadeSlug(_ files: [String: String], releaseLink: String? = nil) throws -> URL {
        let root = temporary.appending("slugroot")
        try write(files, in: root.appendingPathComponent("app"))
        if let releaseLink {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("app/.slugc"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("app/.slugc/release.json").path, withDestinationPath: releaseLink)
        }
        let slug = temporary.appending("hand.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", slug.path, "-C", root.path, "./app"]).exitCode, 0)
        try FileManager.default.removeItem(at: root)
        return slug
    }

    func testRunSaysWhyAPresentReleaseJSONIsInvalid() throws {
        let cases: [(String, String)] = [
            ("{ not json", "it is not JSON"),
            (#"{"process_types": {"web": 5}}"#, "process_types.web is not a string"),
            (#"{"checksum": null}"#, "it has no \"process_types\""),
        ]
        for (text, reason) in cases {
            let slug = try handMadeSlug([".slugc/release.json": text])
            let result = try run(["run", slug.path, "web"])
            XCTAssertEqual(result.exitCode, 64, result.stderr)
            XCTAssertEqual(result.stderr, " !     \(slug.path): .slugc/release.json is not valid: \(reason). Build the slug again with slugc build or slugc pack, or run a command: slugc run \(slug.path) -- CMD…\n")
        }
        let linked = try handMadeSlug(["index.html": "hi\n"], releaseLink: "/etc/passwd")
        let result = try run(["run", linked.path, "web"])
        XCTAssertEqual(result.exitCode, 64, result.stderr)
        XCTAssertEqual(result.stderr, " !     \(linked.path): .slugc/release.json is not valid: it is a symlink to /etc/passwd, which leads outside the slug, so slugc did not read it. Build the slug again with slugc build or slugc pack, or run a command: slugc run \(linked.path) -- CMD…\n")
        let missing = try handMadeSlug(["index.html": "hi\n"])
        XCTAssertEqual(try run(["run", missing.path, "web"]).stderr, " !     \(missing.path) has no .slugc/release.json, so its process types are unknown. Build it with slugc build or slugc pack, or run a command: slugc run \(missing.path) -- CMD…\n")
        XCTAssertEqual(try leftInScratch(), [])
    }

    // MARK: Size limit

    func testTheSizeLimitMessageListsBigFilesAtTheAppRoot() throws {
        let folder = try app(["index.html": "<h1>hi</h1>\n", "lib/small.txt": String(repeating: "s", count: 1000)])
        // Random bytes: they do not compress, so the slug is over the limit whatever the level.
        let bytes = (0..<200_000).map { _ in UInt8.random(in: 0...255) }
        try Data(bytes).write(to: folder.appendingPathComponent("dump.bin"))
        let result = try run(["pack", folder.path, "-o", temporary.appending("slug.tgz").path, "--max-size", "10K"])
        XCTAssertEqual(result.exitCode, 51, result.stderr)
        XCTAssertTrue(result.stderr.contains(" !     Largest folders and files:\n !       195.3K  dump.bin\n !       1000B  lib/\n"), result.stderr)
    }

    // MARK: An ordinary user

    func testAnOrdinaryUserBuildsWithBuildpacksOwnedByRoot() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root, to run slugc as another user") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("needs setpriv (util-linux)") }
        // nobody must be able to reach the checkout's built-in buildpacks and the built slugc.
        for folder in [builtInBuildpacks.path, slugcExecutable.path] where access(folder, R_OK) != 0 {
            throw XCTSkip("\(folder) is not readable by everyone")
        }
        let shared = temporary.appending("shared")
        let source = try fixture("static-site", in: temporary)
        let home = shared.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        for path in [temporary.url.path, shared.path, home.path] { chmod(path, 0o755) }
        XCTAssertEqual(try runCommand("/bin/chmod", ["-R", "a+rX", source.path]).exitCode, 0)
        XCTAssertEqual(chown(home.path, 65534, 65534), 0)
        let slug = home.appendingPathComponent("slug.tgz")
        let result = try runCommand("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                         slugcExecutable.path, "build", source.path, "-o", slug.path,
                                                         "--buildpack", "static", "--buildpack", try classicBuildpack("other").path],
                                    environment: ["HOME": home.path, "TMPDIR": home.path, "SLUGC_BUILDPACKS": builtInBuildpacks.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.output.contains("-----> Slug written to \(slug.path)"), result.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.path), ["slug.tgz"])
    }
}

import Foundation
import SlugTestSupport
import XCTest

/// What a user sees of the portability check: warnings from `build` and `pack` (exit code 0),
/// the Portability section of `inspect`, and `portability` in `inspect --json`.
final class CLIPortabilityTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-portability") }
    override func tearDown() { temporary?.remove() }

    private func run(_ arguments: [String]) throws {
        let result = try runCommand("/usr/bin/env", arguments)
        guard result.exitCode == 0 else { throw FixtureError(message: "\(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    /// A built app with a symlink to the build machine's Python, a script started by it, an
    /// ELF library with a RUNPATH into the build machine, a settings file holding a build
    /// folder's path, and for each the kind that travels.
    private func leakyApp() throws -> URL {
        let app = temporary.appending("app")
        let fm = FileManager.default
        for folder in ["bin", "lib"] { try fm.createDirectory(at: app.appendingPathComponent(folder), withIntermediateDirectories: true) }
        try "web: bin/web\n".write(to: app.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
        for (name, text) in [("bin/web", "#!/usr/bin/env python3\n"), ("bin/gunicorn", "#!/root/.pyenv/versions/3.11.7/bin/python\n")] {
            try text.write(to: app.appendingPathComponent(name), atomically: false, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: app.appendingPathComponent(name).path)
        }
        try fm.createSymbolicLink(atPath: app.appendingPathComponent("bin/python3.11").path, withDestinationPath: "/root/.pyenv/versions/3.11.7/bin/python3.11")
        try fm.createSymbolicLink(atPath: app.appendingPathComponent("bin/python").path, withDestinationPath: "python3.11")
        try fm.createSymbolicLink(atPath: app.appendingPathComponent("bin/python3").path, withDestinationPath: "/app/bin/python3.11")
        for (name, runpath) in [("lib/libbuilt.so", "/opt/build/lib"), ("lib/libmoves.so", "$ORIGIN/../lib")] {
            try fm.copyItem(atPath: "/bin/true", toPath: app.appendingPathComponent(name).path)
            try run(["patchelf", "--set-rpath", runpath, app.appendingPathComponent(name).path])
        }
        try "ROOT = '/tmp/slugc-build-AbC123/app'\n".write(to: app.appendingPathComponent("settings.py"), atomically: false, encoding: .utf8)
        return app
    }

    private static let leakyWarnings = [
        " !     Warning: bin/gunicorn: its #! line names /root/.pyenv/versions/3.11.7/bin/python, which a dyno does not have: it will not run. Start it with #!/usr/bin/env python and put the interpreter on PATH, or name one under /app/.",
        " !     Warning: bin/python3.11: symlink to /root/.pyenv/versions/3.11.7/bin/python3.11, outside the slug: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.",
        " !     Warning: lib/libbuilt.so: its RUNPATH names /opt/build/lib, outside the slug: libraries there will not be found on a dyno. Put them in the app and point to them relative to the file, e.g. patchelf --set-rpath '$ORIGIN/../lib'.",
        " !     Warning: settings.py: holds the build folder's path /tmp/slugc-build-AbC123/app, which is gone once the build ends: the slug runs from /app or wherever it is extracted. Work the path out at run time (from $HOME or the file's own location) instead of writing it at build time.",
    ]

    private func warningLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(" !     Warning: ") }
    }

    func testPackWarnsAndInspectListsTheSameFindings() throws {
        let slug = temporary.appending("slug.tgz")
        let packed = try slugc(["pack", try leakyApp().path, "-o", slug.path, "--json"])
        XCTAssertEqual(packed.exitCode, 0, packed.stderr)
        XCTAssertEqual(warningLines(packed.stderr), Self.leakyWarnings)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(packed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["warnings"] as? [String], Self.leakyWarnings.map { String($0.dropFirst(" !     Warning: ".count)) })

        let inspected = try slugc(["inspect", slug.path])
        XCTAssertEqual(inspected.exitCode, 0, inspected.stderr)
        let section = inspected.stdout.components(separatedBy: "-----> Portability").last ?? ""
        XCTAssertEqual(section, ": 4 warnings\n" + Self.leakyWarnings.joined(separator: "\n") + "\n")
    }

    func testInspectJSONAddsPortabilityAndKeepsEveryOtherField() throws {
        let slug = temporary.appending("slug.tgz")
        XCTAssertEqual(try slugc(["pack", try leakyApp().path, "-o", slug.path]).exitCode, 0)
        let inspected = try slugc(["inspect", slug.path, "--json"])
        XCTAssertEqual(inspected.exitCode, 0, inspected.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(document.keys.sorted(), ["addons", "buildpack_provided_description", "buildpacks", "checksum", "config_vars",
                                                "portability", "process_types", "size", "stack", "warnings"])
        XCTAssertEqual(document["process_types"] as? [String: String], ["web": "bin/web"])
        let findings = try XCTUnwrap(document["portability"] as? [[String: String]])
        XCTAssertEqual(findings.map { [$0["path"], $0["kind"], $0["target"]] }, [
            ["bin/gunicorn", "shebang", "/root/.pyenv/versions/3.11.7/bin/python"],
            ["bin/python3.11", "symlink", "/root/.pyenv/versions/3.11.7/bin/python3.11"],
            ["lib/libbuilt.so", "elf-rpath", "/opt/build/lib"],
            ["settings.py", "build-path", "/tmp/slugc-build-AbC123/app"],
        ])
        XCTAssertEqual(findings[1], [
            "path": "bin/python3.11", "kind": "symlink", "target": "/root/.pyenv/versions/3.11.7/bin/python3.11",
            "message": "symlink to /root/.pyenv/versions/3.11.7/bin/python3.11, outside the slug: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.",
        ])
    }

    func testInspectShowsTwentyLinesAtMostAndSaysWhenAllIsWell() throws {
        let app = temporary.appending("many")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        for index in 0..<25 {
            try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent(String(format: "link%02d", index)).path,
                                                       withDestinationPath: "/opt/vendor/\(index)")
        }
        let slug = temporary.appending("many.tgz")
        XCTAssertEqual(try slugc(["pack", app.path, "-o", slug.path]).exitCode, 0)
        let lines = try slugc(["inspect", slug.path]).stdout.components(separatedBy: "-----> Portability").last?.split(separator: "\n") ?? []
        XCTAssertEqual(lines.count, 21)
        XCTAssertEqual(lines.first, ": 25 warnings")
        XCTAssertEqual(lines[19], " !     Warning: link18: symlink to /opt/vendor/18, outside the slug: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.")
        XCTAssertEqual(lines.last, " !     and 6 more (slugc inspect --json lists them all)")

        let clean = try fixture("static-site", in: temporary)
        let cleanSlug = temporary.appending("clean.tgz")
        XCTAssertEqual(try slugc(["pack", clean.path, "-o", cleanSlug.path]).exitCode, 0)
        XCTAssertTrue(try slugc(["inspect", cleanSlug.path]).stdout.hasSuffix("-----> Portability\n       Nothing in the slug points outside it.\n"))
    }

    func testBuildWarnsAboutWhatABuildpackLeftOutsideTheSlug() throws {
        let app = try fixture("classic-app", in: temporary)
        let tmp = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let leaky = packageRoot.appendingPathComponent("Fixtures/buildpacks-classic/leaky")
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", leaky.path, "--json"],
                               environment: ["TMPDIR": tmp.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let warnings = warningLines(result.stderr)
        XCTAssertEqual(warnings.count, 2, result.stderr)
        XCTAssertEqual(warnings.first, " !     Warning: .leaky/bin/python3.11: symlink to /root/.pyenv/versions/3.11.7/bin/python3.11, outside the slug: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.")
        // The build folder is a fresh mkdtemp name: its exact path is found, whatever it is.
        let buildPath = try XCTUnwrap(warnings.last)
        XCTAssertTrue(buildPath.hasPrefix(" !     Warning: .leaky/settings.py: holds the build folder's path \(tmp.path)/slugc-build-"), buildPath)
        XCTAssertTrue(buildPath.hasSuffix("/app, which is gone once the build ends: the slug runs from /app or wherever it is extracted. Work the path out at run time (from $HOME or the file's own location) instead of writing it at build time."), buildPath)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["warnings"] as? [String], warnings.map { String($0.dropFirst(" !     Warning: ".count)) })
    }
}

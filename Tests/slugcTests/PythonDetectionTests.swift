import Foundation
import SlugTestSupport
import XCTest

/// Python apps are detected the way Heroku's Python buildpack detects them (any of its names, or
/// a `*.py` at the root), and when what compile needs (requirements.txt) is missing, `detect`,
/// `detect --explain` and the compile failure all say what to add.
final class PythonDetectionTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-python-detect") }
    override func tearDown() { temporary?.remove() }

    /// Every name heroku-buildpack-python's bin/detect accepts (files, and folders with a slash).
    static let herokuNames = [".python-version", "__init__.py", "app.py", "main.py", "manage.py", "pdm.lock", "Pipfile",
                              "Pipfile.lock", "poetry.lock", "pyproject.toml", "requirements.txt", "runtime.txt", "server.py",
                              "setup.cfg", "setup.py", "uv.lock", "requeriments.txt", "requirement.txt", "requirements",
                              "requirements.text", "Requirements.txt", "requirements.txt.txt", "requirments.txt",
                              "requirements/", "__pycache__/", ".venv/", "venv/"]

    func testEveryNameHerokuDetectsIsDetectedAsPython() throws {
        for name in Self.herokuNames + ["wsgi.py"] {
            let app = temporary.appending("app-\(Self.herokuNames.firstIndex(of: name) ?? 99)")
            try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
            if name.hasSuffix("/") {
                try FileManager.default.createDirectory(at: app.appendingPathComponent(name), withIntermediateDirectories: true)
                try Data("x".utf8).write(to: app.appendingPathComponent(name + "placeholder"))
            } else {
                try Data("x\n".utf8).write(to: app.appendingPathComponent(name))
            }
            let result = try slugc(["detect", app.path])
            XCTAssertEqual(result.exitCode, 0, "\(name): \(result.stdout)\(result.stderr)")
            XCTAssertEqual(result.stdout, "-----> Python app detected\n", name)
        }
    }

    func testTheSeedLayoutIsPythonAndEveryPlaceNamesTheRequirementsFile() throws {
        let app = try fixture("python-seed-layout", in: temporary)
        let hint = "Found 'requirements/prod.txt' but no requirements.txt at the app root: add a requirements.txt there containing the line `-r requirements/prod.txt`, and commit it."
        let warning = " !     Warning: the Python buildpack matched, but its compile will fail: it needs requirements.txt, Pipfile.lock, poetry.lock or uv.lock at the app root (none of them is there)."

        let detected = try slugc(["detect", app.path])
        XCTAssertEqual(detected.exitCode, 0)
        XCTAssertEqual(detected.stdout, "-----> Python app detected\n")
        XCTAssertEqual(detected.stderr, warning + "\n !     Hints:\n !       " + hint + "\n")

        let explained = try slugc(["detect", app.path, "--explain"])
        XCTAssertTrue(explained.stdout.contains("""
                   requires (compile needs it at the app root):
                   fail    any: none of 4 matched
                   fail      requirements.txt: not found
                   fail      Pipfile.lock: not found
                   fail      poetry.lock: not found
                   fail      uv.lock: not found

            """), explained.stdout)
        XCTAssertTrue(explained.stdout.hasSuffix("-----> Python app detected\n" + warning + "\n-----> Hints\n       " + hint + "\n"), explained.stdout)

        let built = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--env", "PYTHON_RUNTIME_INDEX=none"])
        XCTAssertEqual(built.exitCode, 30, built.stderr)
        XCTAssertTrue(built.stderr.hasSuffix("""
             !     Failed to compile app with buildpack python: bin/compile exited with status 1. It needs requirements.txt, Pipfile.lock, poetry.lock or uv.lock at the app root, and the app has none; the buildpack's messages above say more.
             !     Hints:
             !       \(hint)

            """), built.stderr)
        let log = built.stdout + built.stderr
        XCTAssertTrue(log.contains(" !     The app was detected as Python because of: manage.py, requirements/.\n"), log)
        XCTAssertTrue(log.contains(" !     The app's root folder contains:\n !       app/\n !       manage.py\n !       Procfile\n !       README.md\n !       requirements/\n"), log)
    }

    func testOtherPlacesAndNamesOfTheRequirementsGetTheirHints() throws {
        let app = temporary.appending("app")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("api"), withIntermediateDirectories: true)
        for (path, text) in ["app.py": "print(1)\n", "dev-requirements.txt": "pytest\n", "requirements-prod.txt": "flask\n",
                             "Requirements.TXT": "flask\n", "api/Pipfile": "[packages]\n"] {
            try Data(text.utf8).write(to: app.appendingPathComponent(path))
        }
        let detected = try slugc(["detect", app.path])
        XCTAssertEqual(detected.stderr.split(separator: "\n").dropFirst(2).map(String.init), [
            " !       Found 'requirements-prod.txt' but no requirements.txt at the app root: add a requirements.txt there containing the line `-r requirements-prod.txt`, and commit it.",
            " !       Found 'Requirements.TXT': did you mean 'requirements.txt'? Names are case-sensitive: rename it so the Python buildpack can build the app.",
            " !       Found 'api/Pipfile': the Python buildpack looks at the app root. Build that folder with --app-dir api.",
        ], detected.stderr)
    }

    func testAnAddedExtensionAndAMiscasedFolderOfOtherBuildpacksMarkersGetHints() throws {
        let app = temporary.appending("app")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("Public"), withIntermediateDirectories: true)
        try Data("// swift-tools-version:5.9\n".utf8).write(to: app.appendingPathComponent("Package.swift.txt"))
        try Data("<p>hi</p>\n".utf8).write(to: app.appendingPathComponent("Public/index.html"))
        let result = try slugc(["detect", app.path])
        XCTAssertEqual(result.exitCode, 20)
        XCTAssertTrue(result.stderr.contains(" !       Found 'Package.swift.txt': did you mean 'Package.swift'? Rename it so the Swift buildpack can detect the app.\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains(" !       Found 'Public/index.html': did you mean 'public/index.html'? Names are case-sensitive: rename the folder so the Static HTML buildpack can detect the app.\n"), result.stderr)
    }

    func testNoCedarLineAppearsOnceWhateverTheStreams() throws {
        let app = try fixture("detect-ruby", in: temporary)
        for arguments in [["detect", app.path], ["detect", app.path, "--explain"], ["build", app.path, "-o", temporary.appending("x.tgz").path]] {
            let result = try slugc(arguments)
            let merged = result.stdout + result.stderr
            XCTAssertEqual(merged.components(separatedBy: "No Cedar-supported app detected").count - 1, 1, "\(arguments[0]): \(merged)")
        }
    }

    func testColoursFromABuildpackAreStrippedWhenNotOnATerminal() throws {
        let buildpack = temporary.appending("colourful")
        try FileManager.default.createDirectory(at: buildpack.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let scripts = ["detect": "#!/bin/sh\nprintf '\\033[1;32mColourful\\033[0m\\n'\nprintf '\\033[33mdetect says hi\\033[0m\\n' >&2\nexit 0\n",
                       "compile": "#!/bin/sh\nprintf '\\033[31m-----> Red step\\033[0m\\n'\nprintf 'web: true\\n' > \"$1/Procfile\"\n"]
        for (name, text) in scripts {
            let url = buildpack.appendingPathComponent("bin/\(name)")
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let app = try fixture("static-site", in: temporary)
        let explained = try slugc(["detect", app.path, "--explain", "--buildpack", buildpack.path])
        XCTAssertTrue(explained.stdout.contains("       stderr: detect says hi\n"), explained.stdout)
        let built = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path, "--json"])
        XCTAssertEqual(built.exitCode, 0, built.stderr)
        XCTAssertTrue(built.stderr.contains("-----> Red step\n"), built.stderr)
        for text in [explained.stdout, explained.stderr, built.stdout, built.stderr] {
            XCTAssertFalse(text.contains("\u{1B}"), text)
            XCTAssertFalse(text.contains("\\u001b"), text)
        }

        // On a terminal (script(1) gives slugc one) the colours pass through, unless NO_COLOR is set.
        let command = "\(slugcExecutable.path) detect \(app.path) --explain --buildpack \(buildpack.path)"
        // NO_COLOR empty counts as unset (no-color.org); the test runner may have set it.
        let environment = ["SLUGC_BUILDPACKS": builtInBuildpacks.path, "NO_COLOR": ""]
        let terminal = try runCommand("/usr/bin/script", ["-qc", command, "/dev/null"], environment: environment)
        XCTAssertTrue(terminal.stdout.contains("stderr: \u{1B}[33mdetect says hi\u{1B}[0m"), terminal.stdout)
        let noColour = try runCommand("/usr/bin/script", ["-qc", command, "/dev/null"], environment: environment.merging(["NO_COLOR": "1"]) { $1 })
        XCTAssertTrue(noColour.stdout.contains("stderr: detect says hi"), noColour.stdout)
        XCTAssertFalse(noColour.stdout.contains("\u{1B}"), noColour.stdout)
    }
}

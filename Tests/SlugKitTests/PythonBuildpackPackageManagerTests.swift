import Foundation
import SlugTestSupport
import XCTest

/// Which package manager an app gets, and the errors a user reads when its files do not say
/// exactly one: several lock files, a manifest without its lock, none at all, uv without
/// .python-version, a requires-python the version does not meet, a tool that cannot be installed.
final class PythonBuildpackPackageManagerTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "python-managers") }
    override func tearDown() { temporary.remove() }

    /// An app folder holding `files`, compiled with the offline config (plus `config`).
    private func compile(_ files: [String: String], config: [String: String] = [:]) throws -> CommandResult {
        let build = temporary.appending("app")
        for (path, text) in files {
            let file = build.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        return try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"),
                                        configVars: offlinePipConfig.merging(config) { _, given in given })
    }

    func testSeveralLockFilesNameEachAndWhatToDelete() throws {
        let result = try compile(["requirements.txt": "flask\n", "poetry.lock": "", "uv.lock": "", "app.py": ""])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     Multiple Python package manager files were found.
             !     Exactly one package manager file must be in the app's root folder, but there are several:
             !       requirements.txt (pip)
             !       poetry.lock (Poetry)
             !       uv.lock (uv)
             !     Decide which package manager the app uses, then delete the other files (and their config),
             !     e.g. `git rm poetry.lock uv.lock` to keep pip, and build again.

            """)
    }

    func testPipfileWithoutLockSaysHowToLock() throws {
        let result = try compile(["Pipfile": "[packages]\nflask = \"*\"\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     The app has a Pipfile, but there is no Pipfile.lock: Pipenv's dependencies are not locked,
             !     so the versions installed could differ from those the app was tested with.
             !     Run `pipenv lock` where the app is developed, commit Pipfile.lock (check that .gitignore and
             !     .slugignore do not exclude it), then build again.

            """)
    }

    func testPoetryProjectWithoutLockSaysHowToLock() throws {
        let result = try compile(["pyproject.toml": "[project]\nname = \"a\"\n\n[tool.poetry]\npackage-mode = false\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     pyproject.toml has a [tool.poetry] table, but there is no poetry.lock: Poetry's dependencies are not locked,
             !     so the versions installed could differ from those the app was tested with.
             !     Run `poetry lock` where the app is developed, commit poetry.lock (check that .gitignore and
             !     .slugignore do not exclude it), then build again.

            """)
    }

    func testUvProjectWithoutLockSaysHowToLock() throws {
        let result = try compile(["pyproject.toml": "[project]\nname = \"a\"\n\n[[tool.uv.index]]\nurl = \"https://example.com/simple\"\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     pyproject.toml has a [tool.uv] table, but there is no uv.lock: uv's dependencies are not locked,
             !     so the versions installed could differ from those the app was tested with.
             !     Run `uv lock` where the app is developed, commit uv.lock (check that .gitignore and
             !     .slugignore do not exclude it), then build again.

            """)
    }

    func testUvNeedsAPythonVersionFile() throws {
        let result = try compile(["pyproject.toml": "[project]\nname = \"a\"\n", "uv.lock": "version = 1\n", "runtime.txt": "python-3.11\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     The app uses uv, which needs the app's Python version in a .python-version file, and there is none.
             !     Create one with e.g. `uv python pin 3.13` (or `echo 3.13 > .python-version`), commit it, then build again.

            """)
    }

    func testRequiresPythonTheVersionDoesNotMeetNamesBoth() throws {
        let python = try requirePyenvPython("3.11")
        let result = try compile(["requirements.txt": "", ".python-version": "3.11\n",
                                  "pyproject.toml": "[project]\nname = \"a\"\nrequires-python = \">=3.12\"\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.stdout.hasSuffix("""
             !     Python \(python.version) (.python-version asks for 3.11) does not meet the app's requires-python '>=3.12' (pyproject.toml).
             !     Ask for a version that meets it in .python-version, or change requires-python in pyproject.toml, then build again.

            """), result.stdout)
    }

    func testPipfileLockChoosesThePythonAfterTheVersionFiles() throws {
        let python = try requirePyenvPython("3.12")
        let lock = #"{"_meta": {"requires": {"python_version": "3.12"}, "sources": []}, "default": {}, "develop": {}}"#
        // An unknown source only: Pipenv's install is not reached, the version choice is.
        let result = try compile(["Pipfile": "[requires]\npython_version = \"3.12\"\n", "Pipfile.lock": lock],
                                 config: ["PIP_FIND_LINKS": pythonWheelhouse.path])
        XCTAssertTrue(result.stdout.contains("-----> Using Python \(python.version) (Pipfile.lock asks for 3.12)\n"), result.stdout)
    }

    func testAToolThatCannotBeInstalledNamesTheConfigVarToSet() throws {
        let app = try fixture("python-uv", in: temporary)
        // The wheelhouse has the app's packages but not uv's wheel, and there is no index.
        let result = try compileWithBuildpack(pythonBuildpack, build: app, cache: temporary.appending("cache"), configVars: offlinePipConfig)
        XCTAssertEqual(result.exitCode, 1)
        let summary = String(result.stdout[try XCTUnwrap(result.stdout.range(of: " !     uv ")).lowerBound...])
        XCTAssertEqual(summary, """
             !     uv 0.13.9 could not be installed into the build cache (exit status 1):
                   ERROR: Could not find a version that satisfies the requirement uv==0.13.9 (from versions: none)
                   ERROR: No matching distribution found for uv==0.13.9
             !     The buildpack installs uv with pip, from the package index pip is configured with.
             !     Without access to PyPI, set the config var PIP_INDEX_URL to a mirror, or PIP_FIND_LINKS to a folder
             !     or page holding uv 0.13.9's wheels and their dependencies (with PIP_NO_INDEX=1 for no index at all).

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("cache/python/tools/uv-0.13.9").path), "a failed install stayed in the cache")
    }

    func testCollectstaticRunsUnderUvToo() throws {
        let index = try LocalPackageIndex()
        defer { index.stop() }
        let app = try fixture("python-django-uv", in: temporary)
        let result = try compileWithBuildpack(pythonBuildpack, build: app, cache: temporary.appending("cache"), configVars: try offlineLockConfig())
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> Installing dependencies with 'uv sync --locked --no-dev'\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> $ python manage.py collectstatic --noinput\n"), result.stdout)
        XCTAssertEqual(try String(contentsOf: app.appendingPathComponent("staticfiles/css/site.css"), encoding: .utf8), "body { color: #333; }\n")
    }

    func testALockOutOfDateWithItsManifestQuotesTheTool() throws {
        let index = try LocalPackageIndex()
        defer { index.stop() }
        let app = try fixture("python-uv", in: temporary)
        let manifest = app.appendingPathComponent("pyproject.toml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try Data(text.replacingOccurrences(of: #""gunicorn==27.0.1"]"#, with: #""gunicorn==27.0.1", "itsdangerous==2.2.0"]"#).utf8).write(to: manifest)
        let result = try compileWithBuildpack(pythonBuildpack, build: app, cache: temporary.appending("cache"), configVars: try offlineLockConfig())
        XCTAssertEqual(result.exitCode, 1)
        let summary = String(result.stdout[try XCTUnwrap(result.stdout.range(of: " !     uv could")).lowerBound...])
        XCTAssertEqual(summary, """
             !     uv could not install the app's dependencies: 'uv sync --locked --no-dev' exited with status 1. It says:
                   error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.
                   hint: To update the lockfile, run `uv lock`.
             !     Fix uv.lock (or pyproject.toml), then build again.

            """)
    }

    /// An index that does not answer is not the lock file's fault: the last line says what is.
    func testAnIndexThatDoesNotAnswerSaysToCheckTheNetworkNotTheLock() throws {
        let app = try fixture("python-uv", in: temporary)
        let port = String(freePort())  // nothing listens there
        for name in ["pyproject.toml", "uv.lock"] {
            let file = app.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "127.0.0.1:\(LocalPackageIndex.port)", with: "127.0.0.1:\(port)").utf8).write(to: file)
        }
        var config = try offlineLockConfig()
        config["UV_HTTP_RETRIES"] = "0"
        let result = try compileWithBuildpack(pythonBuildpack, build: app, cache: temporary.appending("cache"), configVars: config)
        XCTAssertEqual(result.exitCode, 1, result.stdout)
        XCTAssertTrue(result.stdout.contains("       error: Failed to download `"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("""
             !     uv could not download from the package index uv.lock names: check that the build machine reaches it (set the config var HTTPS_PROXY if it needs a proxy), then build again.

            """), result.stdout)
    }

    /// What uv 0.13.9 printed behind a proxy that re-signs TLS (a real build of a public app),
    /// given to the buildpack's message: it names the config var that makes uv trust it.
    func testAnUntrustedCertificateNamesTheConfigVarThatTrustsIt() throws {
        let said = [
            "error: Failed to download `pygments==2.18.0`",
            "  cause: Failed to fetch: https://files.pythonhosted.org/packages/f7/3f/01c8/pygments-2.18.0-py3-none-any.whl",
            "  cause: error sending request for url (https://files.pythonhosted.org/packages/f7/3f/01c8/pygments-2.18.0-py3-none-any.whl)",
            "  cause: client error (Connect)",
            "  cause: invalid peer certificate: UnknownIssuer",
            "hint: Consider enabling use of system TLS certificates with the `--system-certs` command-line flag",
        ]
        let script = """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            import messages, packagemanagers
            print(messages.lock_install_failed(packagemanagers.BY_NAME["uv"], "sync --locked --no-dev", 2, json.loads(sys.argv[2]))[-1])
            """
        let arguments = String(decoding: try JSONSerialization.data(withJSONObject: said), as: UTF8.self)
        let result = try runCommand("/usr/bin/env", ["python3", "-B", "-c", script, pythonBuildpack.appendingPathComponent("lib").path, arguments])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(result.stdout, "uv did not trust the package index's TLS certificate (a proxy that re-signs TLS causes this): "
                       + "set the config var UV_SYSTEM_CERTS=1 (uv then trusts the build machine's certificate store), then build again.\n")
    }
}

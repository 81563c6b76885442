import Foundation
import SlugTestSupport
import XCTest

/// Compile errors of the Python buildpack: the exact lines a user reads, and exit status 1.
final class PythonBuildpackErrorTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "python-errors") }
    override func tearDown() { temporary.remove() }

    private func compile(_ fixtureName: String) throws -> CommandResult {
        let build = try fixture(fixtureName, in: temporary)
        return try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig)
    }

    /// The lines from the first ` !     ` on: the summary after pip's streamed output.
    private func errorSummary(_ output: String) -> String {
        guard let start = output.range(of: " !     ") else { return "" }
        return String(output[start.lowerBound...])
    }

    func testNoPackageManagerFileListsAllFourAndWhatToAdd() throws {
        let result = try compile("python-no-requirements")
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     Couldn't find any supported Python package manager files.
             !     A Python app must have one of these files in its root folder: requirements.txt (pip),
             !     Pipfile.lock (Pipenv), poetry.lock (Poetry) or uv.lock (uv).
             !     The app was detected as Python because of: app.py, pyproject.toml.
             !     The app's root folder contains:
             !       app.py
             !       pyproject.toml
             !     If the app has one of those files, check that it:
             !       1. is in the app's root folder, not a subfolder (or build that subfolder with --app-dir);
             !       2. is named exactly as above (names are case-sensitive);
             !       3. is not excluded by .gitignore or .slugignore;
             !       4. is committed: Heroku builds what is pushed, and slugc build --git-ref what is committed.
             !     Otherwise add one, then build again:
             !       - a requirements.txt listing the packages the app needs, one per line (e.g. gunicorn==23.0.0),
             !         or an empty one if it needs none;
             !       - or a requirements.txt with a line `.` to install the app itself with the dependencies its pyproject.toml declares;
             !       - or lock the app with Pipenv (`pipenv lock`), Poetry (`poetry lock`) or uv (`uv lock`) and commit the lock file.

            """)
    }

    func testRequirementThatDoesNotExistNamesItsLine() throws {
        let result = try compile("python-bad-requirement")
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(errorSummary(result.stdout), """
             !     pip could not install the requirements (exit status 1). pip says:
                   ERROR: Could not find a version that satisfies the requirement flaskk-login==0.6.3 (from versions: none)
                   ERROR: No matching distribution found for flaskk-login==0.6.3
             !     The failing requirement is line 3 of requirements.txt: flaskk-login==0.6.3
             !     Fix or remove that requirement, then build again.

            """)
    }

    func testInvalidRequirementLine() throws {
        let result = try compile("python-invalid-requirement")
        XCTAssertEqual(result.exitCode, 1)
        let summary = errorSummary(result.stdout)
        XCTAssertTrue(summary.hasPrefix("""
             !     pip could not install the requirements (exit status 1). pip says:
                   ERROR: Invalid requirement: 'gunicorn = 27' (from line 2 of requirements.txt)

            """), summary)
        XCTAssertTrue(summary.hasSuffix("""
             !     The failing requirement is line 2 of requirements.txt: gunicorn = 27
             !     Fix or remove that requirement, then build again.

            """), summary)
    }

    func testRequirementThatDoesNotBuildQuotesTheBuildError() throws {
        let result = try compile("python-unbuildable")
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(errorSummary(result.stdout), """
             !     pip could not install the requirements (exit status 1). pip says:
                   × Getting requirements to build wheel did not run successfully.
                   RuntimeError: brokenpkg needs a C compiler this stack does not have
             !     The failing requirement is line 2 of requirements.txt: ./vendor/brokenpkg
             !     Fix or remove that requirement, then build again.

            """)
    }
}

/// What the app's tree must not hold, and files saved in an encoding other tools misread.
final class PythonBuildpackAppTreeTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "python-tree") }
    override func tearDown() { temporary.remove() }

    private func compile(_ edit: (URL) throws -> Void) throws -> CommandResult {
        let build = try fixture("python-minimal", in: temporary)
        try edit(build)
        return try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig)
    }

    func testACommittedVirtualEnvironmentIsRefused() throws {
        let result = try compile { build in
            try FileManager.default.createDirectory(at: build.appendingPathComponent("venv/bin"), withIntermediateDirectories: true)
            try Data("home = /usr/bin\n".utf8).write(to: build.appendingPathComponent("venv/pyvenv.cfg"))
        }
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     The app's source contains an installed Python environment: venv/.
             !     It must not be in the repository: it holds the build machine's paths and binaries, and the buildpack
             !     installs the app's packages itself. Delete it from the repository (`git rm -r --cached venv` and add it to .gitignore), or list it in .slugignore, then build again.

            """)
    }

    func testAVersionOrLockFileLinkedOutsideTheAppIsNotRead() throws {
        for (name, target) in [(".python-version", "/etc/hostname"), ("requirements.txt", "../../../../etc/passwd")] {
            try? FileManager.default.removeItem(at: temporary.appending("python-minimal"))
            let result = try compile { build in
                try? FileManager.default.removeItem(at: build.appendingPathComponent(name))
                try FileManager.default.createSymbolicLink(atPath: build.appendingPathComponent(name).path, withDestinationPath: target)
            }
            XCTAssertEqual(result.exitCode, 1, name)
            XCTAssertEqual(result.stdout, """
                 !     \(name) is a symlink to \(target), which leads outside the app, so the Python buildpack did not read it.
                 !     Put the file itself in the app instead of a link (e.g. cp --remove-destination "$(readlink -f \(name))" \(name)), and commit it.

                """, name)
        }
    }

    func testAUTF16VersionFileIsNamedAsSuch() throws {
        let result = try compile { build in
            try Data([0xff, 0xfe, 0x33, 0x00, 0x2e, 0x00, 0x31, 0x00, 0x31, 0x00]).write(to: build.appendingPathComponent(".python-version"))
        }
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     .python-version is saved as UTF-16 (Windows PowerShell's `>` writes that), which this buildpack cannot read.
             !     Save it as UTF-8 (e.g. `Set-Content -Encoding utf8`, or your editor's "Save with encoding"), then build again.

            """)
    }

    func testAByteOrderMarkInRequirementsIsAWarningAndTheFileStillInstalls() throws {
        let python311 = try requirePyenvPython("3.11")
        let result = try compile { build in
            try Data([0xef, 0xbb, 0xbf] + Array("itsdangerous==2.2.0\n".utf8)).write(to: build.appendingPathComponent("requirements.txt"))
            try Data("\(python311.series)\n".utf8).write(to: build.appendingPathComponent(".python-version"))
        }
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("""
             !     Warning: requirements.txt starts with a UTF-8 byte-order mark (Notepad writes one); it is read without it.
             !     Save it as UTF-8 without BOM so every tool reads its first line alike.

            """), result.stdout)
        XCTAssertTrue(result.stdout.contains("Successfully installed itsdangerous-2.2.0"), result.stdout)
    }
}

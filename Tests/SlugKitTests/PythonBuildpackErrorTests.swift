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

    func testMissingRequirementsTxtSaysWhatToAdd() throws {
        let result = try compile("python-no-requirements")
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     No requirements.txt in the app's root folder, so there is nothing for pip to install.
             !     The app was detected as Python because of: pyproject.toml.
             !     This buildpack installs packages from requirements.txt (pip's format; `-r other.txt` and `-e .` work).
             !     setup.py, pyproject.toml, Pipfile, runtime.txt and .python-version mark a Python app but are not installed from.
             !     Add a requirements.txt to the app's root folder, then build again:
             !       - list the packages the app needs, one per line (e.g. gunicorn==23.0.0);
             !       - or write a line `.` to install the app itself with the dependencies its pyproject.toml declares.

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

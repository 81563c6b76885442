import SlugTestSupport
import XCTest

final class CLIUsageTests: XCTestCase {
    func testHelpListsEveryCommand() throws {
        let result = try slugc(["--help"])
        XCTAssertEqual(result.exitCode, 0)
        for command in ["build", "detect", "pack", "run", "inspect", "buildpacks"] {
            XCTAssertTrue(result.stdout.contains("  \(command) "), "help does not list \(command):\n\(result.stdout)")
        }
    }

    func testUsageErrorsExit64() throws {
        let missingOutput = try slugc(["build", "."])
        XCTAssertEqual(missingOutput.exitCode, 64)
        XCTAssertTrue(missingOutput.stderr.contains("Missing expected argument '--output <SLUG.tgz>'"), missingOutput.stderr)

        let badLevel = try slugc(["pack", ".", "-o", "/tmp/x.tgz", "--level", "12"])
        XCTAssertEqual(badLevel.exitCode, 64)
        XCTAssertTrue(badLevel.stderr.contains("--level must be 1 to 9, not 12."), badLevel.stderr)
    }

    func testMissingSourceFolderIsAUsageError() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let missing = temporary.appending("nope").path
        let result = try slugc(["build", missing, "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(result.exitCode, 64)
        XCTAssertEqual(result.stderr, " !     \(missing): not a folder. Give the app's source folder, e.g. slugc build ./myapp -o slug.tgz.\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("slug.tgz").path))
    }
}

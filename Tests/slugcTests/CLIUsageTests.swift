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
        XCTAssertEqual(result.stderr, " !     \(missing): no such folder or tarball. Give the app's folder, a tarball (.tar, .tar.gz, .tgz), - for a tarball on stdin, or an http(s) URL of one, e.g. slugc build ./myapp -o slug.tgz.\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("slug.tgz").path))
    }

    func testMissingSlugAndMissingOutputFolderFailBeforeAnyWork() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let missing = temporary.appending("nope.tgz").path
        for command in [["run", missing], ["inspect", missing]] {
            let result = try slugc(command)
            XCTAssertEqual(result.exitCode, 64, "\(command)")
            XCTAssertEqual(result.stderr, " !     \(missing): no such slug. Build one with slugc build SOURCE -o \(missing).\n")
        }
        let app = try fixture("static-site", in: temporary)
        let output = temporary.appending("no-such-folder/slug.tgz").path
        let result = try slugc(["build", app.path, "-o", output])
        XCTAssertEqual(result.exitCode, 64)
        XCTAssertEqual(result.stdout, "", "the build started before the output folder was checked")
        XCTAssertEqual(result.stderr, " !     \(output): the folder \(temporary.appending("no-such-folder").path) does not exist. Create it, or write the slug elsewhere.\n")
    }
}

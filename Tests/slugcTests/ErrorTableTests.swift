import Foundation
@testable import slugc
@testable import SlugKit
import SlugTestSupport
import XCTest

/// README's table of error types: every row's exit code is what the CLI's one mapping gives, and
/// every example is, to the character, what the library says for that mistake.
final class ErrorTableTests: XCTestCase {
    /// One mistake per row, made through the code that meets it where that is a pure function
    /// (the Procfile, release YAML and buildpack.yml parsers), else the error that code throws.
    private func samples() throws -> [Error] {
        var samples: [Error] = [SourceError.sourceMissing(path: "./myap")]
        samples.append(DetectError.unknownBuildpack(reference: "pyhton", available: ["python", "swift", "static"]))
        do { _ = try BuildpackManifest.parse("id: mine\ndetetc: {file: index.html}\n", file: "mine/buildpack.yml", directory: URL(fileURLWithPath: "mine")) } catch {
            samples.append(error)
        }
        samples.append(CompileError.scriptFailed(buildpack: "python", script: "bin/compile", outcome: "exited with status 1", errorTail: []))
        samples.append(CompileError.timedOut(buildpack: "python", script: "bin/compile", seconds: 900))
        var configVars = ConfigVars()
        do { try configVars.set(assignment: "DEBUG") } catch { samples.append(error) }
        do { _ = try ReleaseYAML.parse("default_process_types:\n  - web\n", buildpack: "ruby") } catch { samples.append(error) }
        do { _ = try Procfile.parse("web:\n") } catch { samples.append(error) }
        samples.append(PackError.io(path: "/out/slug.tgz", reason: "No space left on device"))
        samples.append(PackError.tooLarge(size: 526_909_440, limit: 500 << 20, largestFolders: []))
        samples.append(UploadError.rejected(url: "https://bucket.s3.amazonaws.com/slug.tgz", status: 403, body: ""))
        samples.append(UploadError.unsupportedURL(url: "ftp://example.com/slug.tgz"))
        samples.append(RunError.unknownProcessType(type: "wrker", available: ["web", "worker"], slug: "app.tgz"))
        samples.append(RunError.rootFilesystemSetupFailed(path: "/var/tmp/run-image", reason: "mount overlay: No such device"))
        samples.append(TestError.notSupported(buildpack: "static", missing: "bin/test-compile"))
        return samples
    }

    private struct Row: Equatable, CustomStringConvertible {
        var type: String
        var exitCode: Int32
        var example: String
        var description: String { "| `\(type)` | \(exitCode) | \(example.replacingOccurrences(of: "|", with: "\\|")) |" }
    }

    /// The rows between the markers in README.md; the example is the cell's text without its backticks.
    private func readmeRows() throws -> [Row] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "<!-- error-table -->"), let end = readme.range(of: "<!-- /error-table -->") else {
            throw FixtureError(message: "README.md has no <!-- error-table --> … <!-- /error-table --> section")
        }
        return readme[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line -> Row? in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.dropFirst(2).dropLast(2).replacingOccurrences(of: "\\|", with: "\u{0}").components(separatedBy: " | ")
                .map { $0.replacingOccurrences(of: "\u{0}", with: "|") }
            guard cells.count == 3, let code = Int32(cells[1]) else { return nil }
            return Row(type: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), exitCode: code, example: cells[2])
        }
    }

    func testEveryRowOfTheREADMETableIsWhatSlugcSays() throws {
        let expected = try samples().map { error in
            Row(type: "\(type(of: error))", exitCode: Failure.exitCode(for: error), example: String(describing: error))
        }
        let rows = try readmeRows()
        XCTAssertEqual(rows, expected, "README.md's error table should read:\n" + expected.map(\.description).joined(separator: "\n"))
    }

    func testEveryExitCodeOfTheContractHasARow() throws {
        let codes = Set(try readmeRows().map(\.exitCode))
        XCTAssertEqual(codes, [1, 20, 21, 30, 31, 40, 50, 51, 64])
    }
}

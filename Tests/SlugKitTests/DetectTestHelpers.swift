import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// Writes `text` to `path` under `directory`, creating folders on the way.
@discardableResult
func writeFile(_ path: String, _ text: String = "", in directory: URL, executable: Bool = false) throws -> URL {
    let url = directory.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: false, encoding: .utf8)
    if executable {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
    return url
}

func makeFolder(_ path: String, in directory: URL) throws {
    try FileManager.default.createDirectory(at: directory.appendingPathComponent(path), withIntermediateDirectories: true)
}

/// The checked-in fixture folder itself (read-only use: buildpacks are never modified by detection).
func fixtureURL(_ name: String) -> URL {
    packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// Runs `body`, expecting a `DetectError`, and returns it.
func expectDetectError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> DetectError? {
    do {
        try body()
        XCTFail("expected a DetectError, nothing was thrown", file: file, line: line)
    } catch let error as DetectError {
        return error
    } catch {
        XCTFail("expected a DetectError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Async variant of `expectDetectError`.
func expectDetectError(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> DetectError? {
    do {
        try await body()
        XCTFail("expected a DetectError, nothing was thrown", file: file, line: line)
    } catch let error as DetectError {
        return error
    } catch {
        XCTFail("expected a DetectError, got \(error)", file: file, line: line)
    }
    return nil
}

/// A minimal environment for bin/detect scripts in tests.
let detectTestEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8", "STACK": "test"]

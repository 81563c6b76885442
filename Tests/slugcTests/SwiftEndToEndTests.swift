import Foundation
import SlugTestSupport
import XCTest

/// `slugc build` and `slugc run` on Swift apps, through the whole pipeline: detection of
/// Package.swift, the Swift buildpack's compile and release, packing, booting from the slug.
final class SwiftEndToEndTests: XCTestCase {
    private var scratch: TemporaryDirectory!

    override func setUpWithError() throws {
        scratch = try TemporaryDirectory(prefix: "slugc-swift-e2e")
    }

    /// `slugc build` with the built-in buildpacks in their default order (detection included).
    private func build(_ fixtureName: String, _ extra: [String]) throws -> CommandResult {
        try slugc(["build", Fixtures.path(fixtureName), "--cache-dir", scratch.appending("cache").path] + extra)
    }

    override func tearDown() { scratch.remove() }

    func testBuildThenRunServesHTTPFromTheSlug() throws {
        let slug = scratch.appending("web.tgz")
        let build = try build("swift-web", ["-o", slug.path, "--json"])
        guard build.exitCode == 0 else { return XCTFail("slugc build exited \(build.exitCode): \(build.stderr)") }
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(build.stdout.utf8)) as? [String: Any], build.stdout)
        XCTAssertEqual(release["process_types"] as? [String: String], ["web": "server"])
        XCTAssertEqual(release["buildpack_provided_description"] as? String, "Swift")
        XCTAssertTrue(build.stderr.contains("-----> Swift app detected"), build.stderr)

        let port = freePort()
        let run = Process()
        run.executableURL = slugcExecutable
        run.arguments = ["run", slug.path, "--port", String(port)]
        run.standardOutput = FileHandle.nullDevice
        run.standardError = FileHandle.nullDevice
        try run.run()
        defer {
            run.terminate()
            run.waitUntilExit()
        }
        let response = try waitForHTTP(port: port)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, "Hello from plain Swift on port \(port)\n")

        // The same slug on the bare run image, where no Swift toolchain or runtime exists.
        let image = try runImage()
        let runTemporary = scratch.appending("run-tmp")
        try FileManager.default.createDirectory(at: runTemporary, withIntermediateDirectories: true)
        let bare = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image)
        let bareResponse = try bare.waitForHTTP(seconds: 60)
        let log = bare.stop()
        XCTAssertEqual(bareResponse.status, 200, log)
        XCTAssertEqual(bareResponse.body, "Hello from plain Swift on port \(bare.port)\n")
    }

    func testCompileErrorExits30WithTheCompilersFileAndLine() throws {
        let build = try build("swift-compile-error", ["-o", scratch.appending("broken.tgz").path])
        XCTAssertEqual(build.exitCode, 30, build.stdout + build.stderr)
        XCTAssertTrue((build.stdout + build.stderr).contains(
            "Sources/broken/main.swift:2:19: error: cannot convert value of type 'String' to specified type 'Int'"),
            build.stdout + build.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appending("broken.tgz").path))
    }
}

private enum Fixtures {
    /// A fixture's checked-in folder: `slugc build` only reads its source, never changes it.
    static func path(_ name: String) -> String {
        packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }
}

import Foundation
import SlugTestSupport
import XCTest

/// `slugc build` and `slugc run` on Swift apps, through the whole pipeline: detection of
/// Package.swift, the Swift buildpack's compile and release, packing, booting from the slug.
final class SwiftEndToEndTests: XCTestCase {
    private var scratch: TemporaryDirectory!

    override func setUpWithError() throws {
        scratch = try TemporaryDirectory(prefix: "slugc-swift-e2e")
        // Until the buildpack catalog lands on main, the pipeline cannot find any buildpack.
        let catalog = try slugc(["buildpacks"])
        if catalog.exitCode != 0, (catalog.stdout + catalog.stderr).contains("not implemented") {
            throw XCTSkip("the buildpack catalog is not implemented yet: \(catalog.stderr)")
        }
    }

    override func tearDown() { scratch.remove() }

    func testBuildThenRunServesHTTPFromTheSlug() throws {
        let slug = scratch.appending("web.tgz")
        let build = try slugc(["build", Fixtures.path("swift-web"), "-o", slug.path,
                               "--cache-dir", scratch.appending("cache").path, "--json"])
        XCTAssertEqual(build.exitCode, 0, build.stderr)
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
    }

    func testCompileErrorExits30WithTheCompilersFileAndLine() throws {
        let build = try slugc(["build", Fixtures.path("swift-compile-error"), "-o", scratch.appending("broken.tgz").path,
                               "--cache-dir", scratch.appending("cache").path])
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

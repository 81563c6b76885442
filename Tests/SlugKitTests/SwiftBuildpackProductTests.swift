import Foundation
import SlugTestSupport
import XCTest

/// What the Swift buildpack puts in the slug per product: resource bundles beside the
/// executable (Bundle.module works from the slug alone), and process types by product count.
final class SwiftBuildpackProductTests: XCTestCase {
    private let buildpack = builtInBuildpack("swift")

    func testResourceBundleIsReadAtRunTimeFromTheSlug() throws {
        let scratch = try TemporaryDirectory(prefix: "slugc-swift-resources")
        defer { scratch.remove() }
        let cache = scratch.appending("cache")
        let app = try fixture("swift-resources", in: scratch, as: "build")
        let build = try compileWithBuildpack(buildpack, build: app, cache: cache)
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertEqual(relativeFileListing(app),
                       [".profile.d/swift.sh", ".swift-bin/motd", ".swift-bin/swift-resources_motd.resources/motd.txt", "Package.swift"])

        // Only the slug is left: the build folder moves elsewhere and the cache (which SwiftPM's
        // fallback path points into) is gone.
        try FileManager.default.removeItem(at: cache)
        let moved = scratch.appending("app")
        try FileManager.default.moveItem(at: app, to: moved)
        let run = try runInDyno(moved, command: "motd")
        XCTAssertEqual(run.stdout, "Message of the day: resources travel in the slug.\n", run.stderr)
        XCTAssertEqual(run.exitCode, 0)
    }

    func testSeveralExecutablesGiveNoDefaultProcessType() throws {
        let scratch = try TemporaryDirectory(prefix: "slugc-swift-two")
        defer { scratch.remove() }
        let app = try fixture("swift-two-products", in: scratch, as: "build")
        let build = try compileWithBuildpack(buildpack, build: app, cache: scratch.appending("cache"))
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertTrue(build.output.contains(
            "       No default process type: the package has 2 executable products (api worker); the Procfile must choose, e.g. 'web: api'\n"),
            build.output)
        XCTAssertEqual(try releaseWithBuildpack(buildpack, build: app), "---\ndefault_process_types: {}\n")
        XCTAssertEqual(try runInDyno(app, command: "api && worker").stdout, "api\nworker\n")
    }

    func testBuildpackDeclaresPackageSwiftDetection() throws {
        let manifest = try String(contentsOf: buildpack.appendingPathComponent("buildpack.yml"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\nid: swift\nname: Swift\ndescription: Swift\ndetect:\n  file: Package.swift\n"), manifest)
    }
}

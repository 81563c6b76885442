import Foundation
import SlugTestSupport
import XCTest

/// A package with a real dependency (swift-argument-parser from the machine's git mirror):
/// it resolves without the network, and a rebuild with the cache recompiles only the module
/// that changed.
final class SwiftBuildpackDependencyTests: XCTestCase {
    private static let buildpack = builtInBuildpacks.appendingPathComponent("swift")
    private static var scratch: TemporaryDirectory?
    private static var coldBuild: BuildpackCompile?

    /// Git may only use local repositories, and any HTTP(S) attempt goes to a closed port:
    /// a build that needs the network fails instead of quietly using it.
    private static let offline = [
        "GIT_ALLOW_PROTOCOL": "file",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    ]

    override class func tearDown() {
        scratch?.remove()
        scratch = nil
        coldBuild = nil
    }

    private static func sharedScratch() throws -> TemporaryDirectory {
        if let scratch { return scratch }
        let made = try TemporaryDirectory(prefix: "slugc-swift-deps")
        scratch = made
        return made
    }

    private func compile(_ app: URL) throws -> BuildpackCompile {
        try compileWithBuildpack(Self.buildpack, buildDirectory: app, cacheDirectory: Self.sharedScratch().appending("cache"),
                                 environment: Self.offline)
    }

    /// The class's one cold build, with an empty cache.
    private func builtCold() throws -> BuildpackCompile {
        if let build = Self.coldBuild { return build }
        let build = try compile(copyFixture("swift-deps", to: Self.sharedScratch().appending("cold")))
        XCTAssertTrue(build.succeeded, build.output)
        Self.coldBuild = build
        return build
    }

    func testDependencyResolvesFromTheLocalMirrorAndBuilds() throws {
        let build = try builtCold()
        XCTAssertTrue(build.output.contains("       No build cache yet: building everything\n"), build.output)
        XCTAssertTrue(build.output.contains("       Computed https://github.com/apple/swift-argument-parser at 1.8.2"), build.output)
        XCTAssertTrue(build.output.contains("Compiling ArgumentParser "), build.output)
        XCTAssertEqual(relativeFileListing(build.buildDirectory), [".profile.d/swift.sh", ".swift-bin/greet", "Package.swift"])

        let run = try runInDyno(build.buildDirectory, command: "greet --name slug")
        XCTAssertEqual(run.stdout, "Hello, slug, from a Swift package with a dependency!\n", run.stderr)
    }

    func testRebuildAfterChangingOneModuleRecompilesOnlyThatModule() throws {
        _ = try builtCold()
        // A fresh BUILD_DIR, as every build gets, with one source file changed.
        let app = try copyFixture("swift-deps", to: Self.sharedScratch().appending("changed"))
        let source = app.appendingPathComponent("Sources/Greeting/Greeting.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "Hello, ", with: "Howdy, ").utf8).write(to: source)

        let build = try compile(app)
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertTrue(build.output.contains("       Reusing the build cache: only what changed recompiles\n"), build.output)
        let compiled = build.output.split(separator: "\n").filter { $0.contains("] Compiling ") && !$0.contains("Compiling plugin") }
        XCTAssertEqual(compiled.map { $0.split(separator: "]").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" },
                       ["Compiling Greeting Greeting.swift"], build.output)
        XCTAssertFalse(build.output.contains("Fetching https://github.com/apple/swift-argument-parser"), build.output)

        let run = try runInDyno(build.buildDirectory, command: "greet --name slug")
        XCTAssertEqual(run.stdout, "Howdy, slug, from a Swift package with a dependency!\n", run.stderr)
    }
}

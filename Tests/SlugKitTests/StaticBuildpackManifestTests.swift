import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// Buildpacks/static/buildpack.yml: identity, detection rules, and the default web process.
final class StaticBuildpackManifestTests: XCTestCase {
    func testIdentityRulesAndProcessTypes() throws {
        let manifest = try XCTUnwrap(try YAML.load(contentsOf: staticBuildpack.appendingPathComponent("buildpack.yml")))
        XCTAssertEqual(manifest["id"]?.string, "static")
        XCTAssertEqual(manifest["name"]?.string, "Static HTML")
        XCTAssertEqual(manifest["description"]?.string, "Static")
        let rules = try XCTUnwrap(manifest["detect"]?["any"]?.sequence)
        XCTAssertEqual(rules.compactMap { $0["file"]?.string }, ["static.json", "index.html", "public/index.html"])
        XCTAssertEqual(rules.count, 3)
        XCTAssertEqual(try staticWebCommand(), "bash \"$HOME/.static/start.sh\"")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: staticBuildpack.appendingPathComponent("bin/compile").path))
    }

    func testStaticComesLastInDetectionOrder() throws {
        let order = try XCTUnwrap(try YAML.load(contentsOf: builtInBuildpacks.appendingPathComponent("order.yml")))
        XCTAssertEqual(order["order"]?.sequence?.last?.string, "static")
    }
}

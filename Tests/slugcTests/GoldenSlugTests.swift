import Foundation
import SlugTestSupport
import XCTest

/// The static-site fixture's slug, listed by the system's tar, and its release JSON, against
/// files recorded beside this test. Re-record on purpose with SLUGC_RECORD_GOLDEN=1.
final class GoldenSlugTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-golden") }
    override func tearDown() { temporary?.remove() }

    func testStaticSiteSlugListingAndReleaseJSON() throws {
        let app = try fixture("static-site", in: temporary)
        let slug = temporary.appending("slug.tgz")
        let built = try slugc(["build", app.path, "-o", slug.path, "--json"])
        XCTAssertEqual(built.exitCode, 0, built.stderr)

        // Modes, owners, mtimes and names; sizes of the buildpack's own server files would make
        // every server change a golden change, so only the app's files keep their sizes.
        let verbose = try runCommand("/bin/tar", ["--numeric-owner", "--utc", "-tvzf", slug.path])
        XCTAssertEqual(verbose.exitCode, 0, verbose.stderr)
        let listing = verbose.stdout.split(separator: "\n").map { line -> String in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { return String(line) }
            let name = fields[5...].joined(separator: " ")
            let size = name.hasPrefix("./app/.static/") || name.hasPrefix("./app/.slugc/") ? "-" : String(fields[2])
            return "\(fields[0]) \(fields[1]) \(size) \(fields[3]) \(fields[4]) \(name)"
        }.joined(separator: "\n") + "\n"
        try compare(listing, golden: "static-site.listing")

        var release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any])
        XCTAssertTrue((release["checksum"] as? String)?.hasPrefix("SHA256:") ?? false)
        XCTAssertNotNil(release["size"] as? Int)
        release["checksum"] = "SHA256:(recorded separately)"
        release["size"] = 0
        // Timings differ every build: only their shape is checked (BuildDurationsTests has the rest).
        let durations = try XCTUnwrap(release.removeValue(forKey: "durations") as? [String: Any])
        XCTAssertEqual((durations["stages"] as? [String: Double])?.keys.sorted(), ["compile", "copy", "detect", "pack", "release"])
        let normalized = try JSONSerialization.data(withJSONObject: release, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try compare(String(decoding: normalized, as: UTF8.self) + "\n", golden: "static-site.release.json")
    }

    func testSameSourceGivesTheSameSlugBytes() throws {
        let app = try fixture("static-site", in: temporary)
        let first = temporary.appending("first.tgz"), second = temporary.appending("second.tgz")
        XCTAssertEqual(try slugc(["build", app.path, "-o", first.path]).exitCode, 0)
        // Touch every file: mtimes must not leak into the slug.
        XCTAssertEqual(try runCommand("/usr/bin/find", [app.path, "-exec", "touch", "-d", "2001-02-03", "{}", "+"]).exitCode, 0)
        XCTAssertEqual(try slugc(["build", app.path, "-o", second.path, "--threads", "1"]).exitCode, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: first.path), FileManager.default.contents(atPath: second.path),
                       "two builds of the same source differ")
    }

    private func compare(_ actual: String, golden name: String) throws {
        let file = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SLUGC_RECORD_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: false, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        XCTAssertEqual(actual, expected, "\(name) differs; if the change is intended, re-record with SLUGC_RECORD_GOLDEN=1 swift test --filter GoldenSlugTests")
    }
}

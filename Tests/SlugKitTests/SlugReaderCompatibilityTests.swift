import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// A multi-member slug (one gzip member per block) must read in every gzip reader a platform
/// might use, not just in GNU tar. Each reader the machine has must see the whole stream.
final class SlugReaderCompatibilityTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var slug: URL!
    private var expectedBytes = 0

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-compat")
        let source = temporary.appending("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try SlugTestTrees.compressible(400_000).write(to: source.appendingPathComponent("data.txt"))
        var options = PackOptions()
        options.blockSize = 64 * 1024  // several members from a small tree
        slug = temporary.appending("slug.tgz")
        _ = try SlugPacker.pack(directory: source, to: slug, options: options)
        // The uncompressed stream as GNU gzip sees it, the reference every reader must match.
        let gunzipped = try runCommand("/bin/sh", ["-c", "gzip -dc '\(slug.path)' | wc -c"])
        expectedBytes = Int(gunzipped.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        XCTAssertGreaterThan(expectedBytes, 400_000)
    }

    override func tearDown() { temporary.remove() }

    private func available(_ tool: String) -> Bool {
        (try? runCommand("/bin/sh", ["-c", "command -v \(tool)"]).exitCode) == 0
    }

    func testBsdtarListsTheWholeSlug() throws {
        try XCTSkipUnless(available("bsdtar"), "bsdtar is not installed")
        let listing = try runCommand("/bin/sh", ["-c", "bsdtar -tzf '\(slug.path)'"])
        XCTAssertEqual(listing.exitCode, 0, listing.stderr)
        XCTAssertEqual(listing.stdout, "./app/\n./app/data.txt\n")
    }

    func testNodeZlibReadsEveryMember() throws {
        try XCTSkipUnless(available("node"), "node is not installed")
        let script = "process.stdout.write(String(require('zlib').gunzipSync(require('fs').readFileSync(process.argv[1])).length))"
        let result = try runCommand("/bin/sh", ["-c", "node -e \"\(script)\" '\(slug.path)'"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(Int(result.stdout), expectedBytes)
    }

    func testJavaGZIPInputStreamReadsEveryMember() throws {
        try XCTSkipUnless(available("java"), "java is not installed")
        let source = temporary.appending("Count.java")
        try """
            import java.io.*; import java.util.zip.*;
            public class Count { public static void main(String[] a) throws Exception {
              long n = 0; byte[] b = new byte[65536];
              try (InputStream in = new GZIPInputStream(new FileInputStream(a[0]))) { int r; while ((r = in.read(b)) > 0) n += r; }
              System.out.print(n); } }
            """.write(to: source, atomically: false, encoding: .utf8)
        let result = try runCommand("/bin/sh", ["-c", "java '\(source.path)' '\(slug.path)'"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(Int(result.stdout), expectedBytes)
    }

    func testPythonGzipReadsEveryMember() throws {
        let result = try runCommand("/usr/bin/python3", ["-c", "import gzip,sys; print(len(gzip.open(sys.argv[1]).read()), end='')", slug.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(Int(result.stdout), expectedBytes)
    }
}

import Foundation
import SlugKit
import XCTest

/// Packs `SLUGC_BENCH_DIR` once and prints the timing; skipped unless that variable is set.
/// `Benchmarks/pack.sh` runs it (under GNU time, for peak memory) until `slugc pack` exists.
/// Options: SLUGC_BENCH_COPY_TO (time TreeCopier instead), SLUGC_BENCH_OUT (slug path), SLUGC_BENCH_LEVEL, SLUGC_BENCH_SINGLE=1, SLUGC_BENCH_THREADS.
final class SlugBenchmarkTests: XCTestCase {
    func testPackBenchmarkDirectory() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = environment["SLUGC_BENCH_DIR"] else {
            throw XCTSkip("set SLUGC_BENCH_DIR to a folder to pack (Benchmarks/pack.sh does)")
        }
        if let copyTo = environment["SLUGC_BENCH_COPY_TO"] {
            let elapsed = try ContinuousClock().measure {
                try TreeCopier.copy(from: URL(fileURLWithPath: directory), to: URL(fileURLWithPath: copyTo)) { _, _ in false }
            }
            return print("slugc-bench: TreeCopier wall=\(elapsed)")
        }
        var options = PackOptions()
        options.level = environment["SLUGC_BENCH_LEVEL"].flatMap { Int($0) } ?? 6
        options.singleMember = environment["SLUGC_BENCH_SINGLE"] == "1"
        options.threads = environment["SLUGC_BENCH_THREADS"].flatMap { Int($0) }
        options.maxSize = nil
        let output = URL(fileURLWithPath: environment["SLUGC_BENCH_OUT"] ?? NSTemporaryDirectory() + "/slugc-bench.tgz")
        let clock = ContinuousClock()
        var result: PackResult?
        let elapsed = try clock.measure {
            result = try SlugPacker.pack(directory: URL(fileURLWithPath: directory), to: output, options: options)
        }
        let packed = try XCTUnwrap(result)
        print("slugc-bench: level=\(options.level) singleMember=\(options.singleMember) wall=\(elapsed) size=\(packed.size) uncompressed=\(packed.uncompressedSize)")
    }
}

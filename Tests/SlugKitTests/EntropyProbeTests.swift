@testable import SlugKit
import XCTest

final class EntropyProbeTests: XCTestCase {
    private func probe(_ data: Data) -> Bool {
        data.withUnsafeBytes(EntropyProbe.looksIncompressible)
    }

    func testRandomBytesLookIncompressible() {
        XCTAssertTrue(probe(SlugTestTrees.incompressible(1 << 20)))
        XCTAssertTrue(probe(SlugTestTrees.incompressible(64 * 1024, seed: 7)))
    }

    func testTextAndMixedBlocksAreCompressed() {
        XCTAssertFalse(probe(SlugTestTrees.compressible(1 << 20)))
        // Half an image, half code: worth compressing, so it must not be stored.
        XCTAssertFalse(probe(SlugTestTrees.incompressible(512 * 1024) + SlugTestTrees.compressible(512 * 1024)))
        // Tar padding and empty files.
        XCTAssertFalse(probe(Data(count: 1 << 20)))
    }

    func testBlocksTooShortToSampleAreCompressed() {
        XCTAssertFalse(probe(SlugTestTrees.incompressible(64 * 1024 - 1)))
        XCTAssertFalse(probe(Data()))
    }
}

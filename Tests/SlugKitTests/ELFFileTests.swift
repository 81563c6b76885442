import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The ELF reader: real binaries changed with patchelf, hand-made 32-bit and big-endian files,
/// the three ways bytes reach it, and damaged input that must never crash it.
final class ELFFileTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "elf") }
    override func tearDown() { temporary.remove() }

    /// A copy of the machine's `/bin/true`, with `patchelf` applied when `arguments` are given.
    private func patchedTrue(_ arguments: [String] = []) throws -> [UInt8] {
        let copy = temporary.appending("true-\(UUID().uuidString.prefix(6))")
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: copy.path)
        if !arguments.isEmpty { try SlugTestTrees.run(["patchelf"] + arguments + [copy.path]) }
        return try [UInt8](Data(contentsOf: copy))
    }

    private static let systemLoader = "/lib64/ld-linux-x86-64.so.2"

    func testReadsTheInterpreterAndRunpathOfARealProgram() throws {
        let plain = try XCTUnwrap(ELFFile(reading: ELFMemoryBytes(data: patchedTrue())))
        XCTAssertEqual(plain.interpreter, Self.systemLoader)
        XCTAssertEqual(plain.rpath, [])
        XCTAssertEqual(plain.runpath, [])
        XCTAssertTrue(plain.is64Bit && plain.isLittleEndian)

        let runpath = try XCTUnwrap(ELFFile(reading: ELFMemoryBytes(data: patchedTrue(["--set-rpath", "/opt/build/lib:$ORIGIN/../lib"]))))
        XCTAssertEqual(runpath.runpath, ["/opt/build/lib", "$ORIGIN/../lib"])
        XCTAssertEqual(runpath.rpath, [])
        let rpath = try XCTUnwrap(ELFFile(reading: ELFMemoryBytes(data: patchedTrue(["--force-rpath", "--set-rpath", "/opt/old"]))))
        XCTAssertEqual(rpath.rpath, ["/opt/old"])
        let interpreter = try XCTUnwrap(ELFFile(reading: ELFMemoryBytes(data: patchedTrue(["--set-interpreter", "/opt/glibc/ld.so"]))))
        XCTAssertEqual(interpreter.interpreter, "/opt/glibc/ld.so")
    }

    func testEveryClassAndByteOrder() throws {
        for is64Bit in [true, false] {
            for isLittleEndian in [true, false] {
                let made = SyntheticELF(is64Bit: is64Bit, isLittleEndian: isLittleEndian, interpreter: "/lib/ld.so.1",
                                        rpath: "/build/a:/build/b", runpath: "$ORIGIN")
                let elf = try XCTUnwrap(ELFFile(reading: ELFMemoryBytes(data: made.bytes())), "\(is64Bit) \(isLittleEndian)")
                XCTAssertEqual([elf.is64Bit, elf.isLittleEndian], [is64Bit, isLittleEndian])
                XCTAssertEqual(elf.type, 3)
                XCTAssertEqual(elf.interpreter, "/lib/ld.so.1")
                XCTAssertEqual(elf.rpath, ["/build/a", "/build/b"])
                XCTAssertEqual(elf.runpath, ["$ORIGIN"])
            }
        }
        // Relocatable objects (.o) have no interpreter or search path to check.
        XCTAssertNil(ELFFile(reading: ELFMemoryBytes(data: SyntheticELF(type: 1, runpath: "/x").bytes())))
    }

    func testStreamedAndOnDiskBytesReadTheSameAsMemory() throws {
        let bytes = try patchedTrue(["--set-rpath", "/opt/build/lib"])
        let expected = ELFFile(reading: ELFMemoryBytes(data: bytes))
        for chunkSize in [1, 3, 4, 7, 4096, bytes.count] {
            var streamed = StreamedELFBytes()
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunkSize, bytes.count)
                bytes[offset..<end].withUnsafeBytes { streamed.append($0) }
                offset = end
            }
            XCTAssertEqual(ELFFile(reading: streamed), expected, "chunks of \(chunkSize)")
        }
        let file = temporary.appending("on-disk")
        try Data(bytes).write(to: file)
        let descriptor = open(file.path, O_RDONLY)
        defer { close(descriptor) }
        XCTAssertEqual(ELFFile(reading: ELFDescriptorBytes(descriptor: descriptor)), expected)
    }

    func testAStreamKeepsADynamicSegmentBeyondItsPrefix() throws {
        // The string table early (where linkers put it), the dynamic segment past the first 8 MiB.
        var far = SyntheticELF(interpreter: "/lib64/ld-linux-x86-64.so.2", runpath: "/opt/far/lib")
        far.dynamicOffset = StreamedELFBytes.prefixLimit + 1000
        var streamed = StreamedELFBytes()
        let bytes = far.bytes()
        for start in stride(from: 0, to: bytes.count, by: 1 << 20) {
            bytes[start..<min(start + (1 << 20), bytes.count)].withUnsafeBytes { streamed.append($0) }
        }
        XCTAssertEqual(ELFFile(reading: streamed)?.runpath, ["/opt/far/lib"])
        // A string table past the prefix is not kept: the one limit of reading a slug once.
        far.stringTableOffset = StreamedELFBytes.prefixLimit + 100
        far.dynamicOffset = StreamedELFBytes.prefixLimit + 4000
        var late = StreamedELFBytes()
        far.bytes().withUnsafeBytes { late.append($0) }
        XCTAssertEqual(ELFFile(reading: late)?.runpath, [])
        XCTAssertEqual(ELFFile(reading: ELFMemoryBytes(data: far.bytes()))?.runpath, ["/opt/far/lib"])
    }

    func testTruncatedDamagedAndRandomInputNeverCrashes() throws {
        let real = try patchedTrue(["--set-rpath", "/opt/build/lib"])
        let synthetic = SyntheticELF(is64Bit: false, isLittleEndian: false, interpreter: "/lib/ld.so.1", rpath: "/r").bytes()
        var generator = SplitMix(seed: 42)
        for original in [real, synthetic] {
            // Cut at every length through the headers, then at random lengths.
            let cuts = Array(0..<min(original.count, 3000)) + (0..<200).map { _ in Int(generator.next() % UInt64(original.count)) }
            for length in cuts {
                let elf = ELFFile(reading: ELFMemoryBytes(data: Array(original.prefix(length))))
                if length < 52 { XCTAssertNil(elf, "cut at \(length)") }
            }
            // Flip random bytes, mostly in the headers, where offsets and sizes live.
            for _ in 0..<3000 {
                var damaged = original
                for _ in 0..<(1 + Int(generator.next() % 8)) {
                    let range = generator.next() % 2 == 0 ? 0..<min(512, damaged.count) : 0..<damaged.count
                    damaged[Int(generator.next() % UInt64(range.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
                _ = ELFFile(reading: ELFMemoryBytes(data: damaged))
            }
        }
        // Garbage behind a valid magic, and huge offsets and counts.
        for _ in 0..<2000 {
            var garbage = [0x7F, 0x45, 0x4C, 0x46, UInt8(1 + generator.next() % 2), UInt8(1 + generator.next() % 2)]
            garbage += (0..<Int(generator.next() % 400)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = ELFFile(reading: ELFMemoryBytes(data: garbage))
            var streamed = StreamedELFBytes()
            garbage.withUnsafeBytes { streamed.append($0) }
            _ = ELFFile(reading: streamed)
        }
        var huge = SyntheticELF(runpath: "/x").bytes()
        for offset in [32, 40, 54, 56, 64 + 8, 64 + 32, 64 + 56 + 8, 64 + 112 + 8, 64 + 112 + 32] {
            var damaged = huge
            for index in offset..<(offset + 8) where index < damaged.count { damaged[index] = 0xFF }
            _ = ELFFile(reading: ELFMemoryBytes(data: damaged))
        }
        huge.removeAll()
        XCTAssertNil(ELFFile(reading: ELFMemoryBytes(data: huge)))
    }
}

/// A seeded generator, so a failing fuzz case is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

import Foundation
@testable import SlugKit
import XCTest

/// The headers `TarWriter` formats itself (`UstarHeader`) against libarchive's own: the same
/// calls on a writer that formats headers and on one that leaves every header to libarchive
/// must give the same stream, byte for byte, at the same cut points, with the same deferred
/// files. The entries sit on every edge where libarchive switches to a pax header.
final class TarHeaderTests: XCTestCase {
    /// What a writer handed on: the stream's bytes with a marker at each cut point and deferred file.
    private final class Recording {
        var events: [String] = []
        var stream: [UInt8] = []
        /// Bytes of the stream the deferred files stand for.
        var deferredBytes = 0
        func note(_ event: String) {
            events.append("\(event)@\(stream.count)")
        }
    }

    private enum Entry {
        case folder(String, mode: mode_t)
        case symlink(String, target: String)
        case hardLink(String, target: String)
        case deferred(String, size: Int64, mode: mode_t)
        case contents(String, Data)
    }

    private func record(_ entries: [Entry], mtime: Int64, cutTarget: Int, formatsHeaders: Bool) throws(PackError) -> Recording {
        let recording = Recording()
        let tar = try TarWriter(name: "test.tgz", cuts: BlockCuts(target: cutTarget),
                                sink: { bytes in recording.stream.append(contentsOf: bytes) },
                                cut: { point in
                                    switch point {
                                    case let .entry(hash, large): recording.note("entry \(hash) \(large)")
                                    case .data: recording.note("data")
                                    }
                                },
                                deferred: { file in
                                    recording.note("file \(file.relative) \(file.fileOffset)+\(file.length)")
                                    recording.deferredBytes += file.length
                                },
                                formatsHeaders: formatsHeaders)
        for entry in entries {
            switch entry {
            case let .folder(path, mode): try tar.addDirectory(path, mode: mode, mtime: mtime)
            case let .symlink(path, target): try tar.addSymlink(path, target: target, mtime: mtime)
            case let .hardLink(path, target): try tar.addHardLink(path, to: target, mode: 0o100644, mtime: mtime)
            case let .contents(path, data): try tar.addFile(path, contents: data, mode: 0o644, mtime: mtime)
            case let .deferred(path, size, mode):
                var info = stat()
                info.st_size = off_t(size)
                info.st_mode = mode
                let file = DeferredFile(root: "/nowhere", relative: path, mode: UInt32(mode), stamp: FileStamp(info), ordinal: 0)
                try tar.addFile(path, deferring: file, mode: mode, mtime: mtime)
            }
        }
        try tar.finish()
        return recording
    }

    private func assertSameStream(_ entries: [Entry], mtime: Int64 = SlugPacker.fixedEpoch, cutTarget: Int = 4096,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        // As `SlugPacker` writes them: libarchive converts names through the locale's charset.
        let (own, libarchive) = try FileSystem.withUTF8Locale { () throws(PackError) -> (Recording, Recording) in
            (try record(entries, mtime: mtime, cutTarget: cutTarget, formatsHeaders: true),
             try record(entries, mtime: mtime, cutTarget: cutTarget, formatsHeaders: false))
        }
        if let first = (0..<max(own.events.count, libarchive.events.count)).first(where: {
            $0 >= own.events.count || $0 >= libarchive.events.count || own.events[$0] != libarchive.events[$0]
        }) {
            XCTFail("event \(first) differs: \(own.events.dropFirst(first).first ?? "none") against libarchive's "
                    + "\(libarchive.events.dropFirst(first).first ?? "none")", file: file, line: line)
        }
        XCTAssertEqual(own.stream.count, libarchive.stream.count, file: file, line: line)
        if let first = (0..<min(own.stream.count, libarchive.stream.count)).first(where: { own.stream[$0] != libarchive.stream[$0] }) {
            XCTFail("the streams differ first at byte \(first) (in the header of block \(first / 512))", file: file, line: line)
        }
        XCTAssertEqual((own.stream.count + own.deferredBytes) % TarWriter.recordSize, 0, file: file, line: line)
    }

    /// A path of exactly `length` bytes under "./app/", made of folders of `segment` bytes.
    private func path(length: Int, segment: Int) -> String {
        var path = "./app"
        var index = 0
        while path.utf8.count + 1 + segment < length {
            path += "/" + String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: segment - 1) + "d"
            index += 1
        }
        let rest = length - path.utf8.count - 1
        return rest > 0 ? path + "/" + String(repeating: "f", count: rest) : path + String(repeating: "g", count: length - path.utf8.count)
    }

    func testEveryKindOfEntryMatchesLibarchive() throws {
        try assertSameStream([
            .folder("./app/", mode: 0o40755),
            .folder("./app/bin/", mode: 0o42775),
            .deferred("./app/bin/run", size: 17, mode: 0o104755),
            .deferred("./app/empty", size: 0, mode: 0o100600),
            .deferred("./app/exact-block", size: 512, mode: 0o100644),
            .deferred("./app/one-more", size: 513, mode: 0o100644),
            .symlink("./app/bin/python", target: "python3.12"),
            .symlink("./app/lib64", target: "/usr/lib/x86_64-linux-gnu/../../lib"),
            .hardLink("./app/bin/run2", target: "./app/bin/run"),
            .contents("./app/.slugc/release.json", Data("{\"a\":1}".utf8)),
            .deferred("./app/sticky", size: 3, mode: 0o101777),
        ])
    }

    /// 100 bytes fit the name field; longer paths split at a "/" into prefix (≤ 155) and name
    /// (≤ 100), or get a pax header. Every length from 90 to 270 with folders of several sizes.
    func testPathsOfEveryLengthAroundTheSplitsMatchLibarchive() throws {
        var entries: [Entry] = []
        for length in 90...270 {
            for segment in [1, 7, 40, 99, 100, 120] {
                let file = path(length: length, segment: segment)
                entries.append(.deferred(file, size: Int64(length), mode: 0o100644))
                entries.append(.folder(file + "/", mode: 0o40755))
                entries.append(.symlink(file + "l", target: "x"))
            }
        }
        // A split right at the prefix's limit of 155 bytes, and names around the limit of 100.
        for prefix in 150...158 {
            for name in 97...102 {
                let path = "./app/" + String(repeating: "p", count: prefix - 6) + "/" + String(repeating: "n", count: name)
                entries.append(.deferred(path, size: 1, mode: 0o100644))
                entries.append(.folder(path + "/", mode: 0o40755))
            }
        }
        // No "/" where a split could go, a "/" only at the very end, a name that is all slashes.
        entries.append(.deferred("./" + String(repeating: "n", count: 150), size: 1, mode: 0o100644))
        entries.append(.folder("./" + String(repeating: "n", count: 120) + "/", mode: 0o40755))
        entries.append(.deferred("/" + String(repeating: "s", count: 101), size: 1, mode: 0o100644))
        entries.append(.deferred(String(repeating: "/", count: 130), size: 1, mode: 0o100644))
        try assertSameStream(entries)
    }

    func testLinkTargetsAroundOneHundredBytesMatchLibarchive() throws {
        var entries: [Entry] = [.deferred("./app/target", size: 5, mode: 0o100644)]
        for length in 95...105 {
            entries.append(.symlink("./app/s\(length)", target: String(repeating: "t", count: length)))
            entries.append(.hardLink("./app/h\(length)", target: "./app/" + String(repeating: "h", count: length - 6)))
        }
        try assertSameStream(entries)
    }

    func testNamesLibarchiveStoresInPaxHeadersMatchLibarchive() throws {
        try assertSameStream([
            .deferred("./app/é", size: 3, mode: 0o100644),
            .deferred("./app/e\u{301}", size: 3, mode: 0o100644),
            .folder("./app/日本語/", mode: 0o40755),
            .symlink("./app/link", target: "café"),
            .hardLink("./app/hard", target: "./app/é"),
            .deferred("./app/plain-after", size: 3, mode: 0o100644),
        ])
    }

    /// 8 GiB is where the size field overflows (libarchive adds a pax `size`); the data is
    /// deferred, so no byte of it is written here. Large files are also cut inside.
    func testSizesAroundEightGibibytesMatchLibarchive() throws {
        try assertSameStream([
            .deferred("./app/just-under", size: (1 << 33) - 1, mode: 0o100644),
            .deferred("./app/exactly", size: 1 << 33, mode: 0o100644),
            .deferred("./app/small", size: 10, mode: 0o100644),
        ], cutTarget: 1 << 30)
    }

    func testMtimesAroundTwentyThirtyEightMatchLibarchive() throws {
        let entries: [Entry] = [.folder("./app/", mode: 0o40755), .deferred("./app/f", size: 600, mode: 0o100644),
                                .symlink("./app/l", target: "f")]
        for mtime: Int64 in [0, 1, SlugPacker.fixedEpoch, 0x7fff_fffe, 0x7fff_ffff, 0x8000_0000, -1] {
            try assertSameStream(entries, mtime: mtime)
        }
    }

    /// The formatter is used: a plain entry's header is not libarchive's work (else the tests
    /// above would compare libarchive with itself).
    func testPlainEntriesAreFormattedWithoutLibarchive() throws {
        var header = [UInt8](repeating: 0xff, count: UstarHeader.size)
        let formatted = header.withUnsafeMutableBytes {
            UstarHeader.format(into: $0, path: "./app/a.txt", kind: .file, mode: 0o100644, size: 5, mtime: 315_532_801)
        }
        XCTAssertTrue(formatted)
        XCTAssertEqual(Array(header[0..<11]), Array("./app/a.txt".utf8))
        XCTAssertEqual(String(decoding: header[100..<108], as: UTF8.self), "000644 \u{0}")
        XCTAssertEqual(String(decoding: header[124..<136], as: UTF8.self), "00000000005 ")
        XCTAssertEqual(String(decoding: header[257..<265], as: UTF8.self), "ustar\u{0}00")
        let refused = header.withUnsafeMutableBytes {
            UstarHeader.format(into: $0, path: "./app/é", kind: .file, mode: 0o100644, size: 5, mtime: 315_532_801)
        }
        XCTAssertFalse(refused)
    }
}

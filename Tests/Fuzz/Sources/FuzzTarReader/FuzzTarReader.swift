import Foundation
import FuzzDriver
@testable import SlugKit

/// Any bytes as a (possibly compressed) tarball: every entry is read and its name judged as
/// extraction judges it. libarchive's errors are fine; a crash or a hang is not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // The reader takes a file; one per fuzzing process, in memory when /dev/shm is there.
    let descriptor = open(FuzzInput.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return 0 }
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        guard count > 0 else { break }
        written += count
    }
    close(descriptor)
    do {
        try FileSystem.withUTF8Locale { () throws(PackError) in
            let reader = try TarReader(path: FuzzInput.path)
            var entries = 0
            while let entry = try reader.next(), entries < 10_000 {
                entries += 1
                let place = ArchivePath.resolve(entry.path, stripAppPrefix: entries % 2 == 0)
                if case let .inside(relative) = place, let target = entry.linkTarget {
                    _ = ArchivePath.symlinkStaysInside(at: relative, target: target)
                }
                if entry.kind == .file { try reader.readBlocks { _ in } }
            }
        }
    } catch {}
    return 0
}

enum FuzzInput {
    static let path: String = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = folder + "/slugc-fuzz-tar-\(getpid())"
        atexit { unlink(FuzzInput.path) }
        return path
    }()
}

/// The executable's entry point (see FuzzDriver).
@_cdecl("FuzzTarReader_main")
public func fuzzTarReaderMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzTarReader(data, size) }
}

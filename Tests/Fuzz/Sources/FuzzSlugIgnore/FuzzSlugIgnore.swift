import FuzzDriver
import SlugKit

/// The first line is a path, the rest a `.slugignore`: parsing and matching never crash, and
/// matching a path stays fast however many `**` a pattern has.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSlugIgnore(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let path = String(parts.first ?? "")
    let ignore = SlugIgnore(text: parts.count > 1 ? String(parts[1]) : "")
    _ = ignore.warnings
    _ = ignore.matches(path, isDirectory: false)
    _ = ignore.matches(path, isDirectory: true)
    return 0
}

/// The executable's entry point (see FuzzDriver).
@_cdecl("FuzzSlugIgnore_main")
public func fuzzSlugIgnoreMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzSlugIgnore(data, size) }
}

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

/// SwiftPM links an executable with `main` aliased to `FuzzSlugIgnore_main` (so tests can import it), and
/// `-parse-as-library` emits no such symbol: this one hands the arguments to libFuzzer's driver.
@_cdecl("FuzzSlugIgnore_main")
public func fuzzSlugIgnoreMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzSlugIgnore(data, size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

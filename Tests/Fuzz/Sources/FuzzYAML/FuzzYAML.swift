import SlugKit

/// Any bytes as YAML, both as `bin/release` output and as a plain document: a node, a
/// `YAMLSyntaxError` or a `ReleaseError`, never a crash, a hang or unbounded memory (aliases).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let node = try? YAML.parse(text) { _ = node.kindName; _ = node == node }
    _ = try? ReleaseYAML.parse(text, buildpack: "fuzz")
    return 0
}

/// SwiftPM links an executable with `main` aliased to `FuzzYAML_main` (so tests can import it), and
/// `-parse-as-library` emits no such symbol: this one hands the arguments to libFuzzer's driver.
@_cdecl("FuzzYAML_main")
public func fuzzYAMLMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzYAML(data, size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

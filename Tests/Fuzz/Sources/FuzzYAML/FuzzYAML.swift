import FuzzDriver
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

/// The executable's entry point (see FuzzDriver).
@_cdecl("FuzzYAML_main")
public func fuzzYAMLMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzYAML(data, size) }
}

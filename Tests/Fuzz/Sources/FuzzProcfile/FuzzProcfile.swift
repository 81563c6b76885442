import FuzzDriver
import SlugKit

/// Any bytes as a Procfile: parsing must return types or a ProcfileError, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProcfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let procfile = try? Procfile.parse(text) {
        for type in procfile.processTypes.types { _ = procfile.processTypes[type] }
        _ = procfile.warnings.map(\.description)
    }
    return 0
}

/// The executable's entry point (see FuzzDriver).
@_cdecl("FuzzProcfile_main")
public func fuzzProcfileMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzProcfile(data, size) }
}

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

/// SwiftPM links an executable with `main` aliased to `FuzzProcfile_main` (so tests can import it), and
/// `-parse-as-library` emits no such symbol: this one hands the arguments to libFuzzer's driver.
@_cdecl("FuzzProcfile_main")
public func fuzzProcfileMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzProcfile(data, size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

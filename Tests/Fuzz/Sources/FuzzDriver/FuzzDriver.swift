/// What every fuzz target's entry point does: SwiftPM links an executable with `main` aliased to
/// `<Target>_main` (so tests can import it), and `-parse-as-library` emits no such symbol, so each
/// target defines that symbol and hands its arguments and input function to libFuzzer's driver here.
public typealias FuzzInputHandler = @convention(c) (UnsafePointer<UInt8>, Int) -> Int32

public func runFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ handler: FuzzInputHandler) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, handler)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzInputHandler) -> Int32

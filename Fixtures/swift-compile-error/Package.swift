// swift-tools-version: 5.9
import PackageDescription

// Does not compile: the buildpack must show the compiler's error with its file and line.
let package = Package(
    name: "swift-compile-error",
    targets: [.executableTarget(name: "broken")]
)

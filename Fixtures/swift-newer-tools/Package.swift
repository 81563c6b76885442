// swift-tools-version: 99.0
import PackageDescription

// Needs a toolchain from the future: the buildpack must refuse it before building.
let package = Package(
    name: "swift-newer-tools",
    targets: [.executableTarget(name: "app")]
)

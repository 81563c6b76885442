// swift-tools-version: 5.9
import PackageDescription

// Two executables: the buildpack cannot guess which one serves the web, so the Procfile says.
let package = Package(
    name: "swift-two-products",
    products: [
        .executable(name: "api", targets: ["api"]),
        .executable(name: "worker", targets: ["worker"]),
    ],
    targets: [.executableTarget(name: "api"), .executableTarget(name: "worker")]
)

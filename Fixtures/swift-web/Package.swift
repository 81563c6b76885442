// swift-tools-version: 5.9
import PackageDescription

// A web server in plain Swift: sockets from Glibc, no dependencies, no Foundation.
let package = Package(
    name: "swift-web",
    products: [.executable(name: "server", targets: ["server"])],
    targets: [.executableTarget(name: "server")]
)

// swift-tools-version: 5.9
import PackageDescription

// A command-line tool with a real package dependency (resolved from the machine's git mirror,
// no network) and two modules of its own, so a rebuild can show that only one recompiles.
let package = Package(
    name: "swift-deps",
    products: [.executable(name: "greet", targets: ["greet"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "Greeting"),
        .executableTarget(name: "greet", dependencies: [
            "Greeting",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ]
)

// swift-tools-version: 6.0
import PackageDescription

// A Hummingbird 2 web app (one route), for the rebuild benchmark: its cold build compiles
// swift-nio and friends for minutes, so the test suite uses the small swift-* fixtures instead.
let package = Package(
    name: "swift-hummingbird",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "App", targets: ["App"])],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(name: "App", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
    ]
)

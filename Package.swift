// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "slugc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slugc", targets: ["slugc"]),
        .library(name: "SlugKit", targets: ["SlugKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // One system library target per C library; apt names the package that provides it.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // prctl(2) wrappers (header only): Swift cannot call a variadic C function.
        .systemLibrary(name: "CProcessControl"),
        // getdents64(2) (header only): the pack walk lists folders without a DIR stream.
        .systemLibrary(name: "CDirectoryEntries"),
        .target(
            name: "SlugKit",
            dependencies: [
                "CArchive", "CYAML", "CZlib", "CDeflate", "CProcessControl", "CDirectoryEntries",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "slugc",
            dependencies: [
                "SlugKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixture copying, running the built CLI, tiny HTTP client: shared by both test targets.
        .target(
            name: "SlugTestSupport",
            dependencies: ["SlugKit"],
            path: "Tests/SlugTestSupport"
        ),
        .testTarget(
            name: "SlugKitTests",
            dependencies: ["SlugKit", "SlugTestSupport"]
        ),
        .testTarget(
            name: "slugcTests",
            dependencies: ["slugc", "SlugTestSupport"],
            exclude: ["Golden"]
        ),
    ]
)

// swift-tools-version: 6.2
// libFuzzer targets for slugc's parsers of hostile input. Kept out of the main package so that
// `swift build` and `swift test` there never need the fuzzer runtime; see README.md (Fuzzing).
import PackageDescription

// Each target defines LLVMFuzzerTestOneInput and no main: libFuzzer's runtime brings main.
let fuzzer: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"]), .swiftLanguageMode(.v5)]

let package = Package(
    name: "slugc-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "slugc", path: "../..")],
    targets: [.target(name: "FuzzDriver", swiftSettings: [.swiftLanguageMode(.v5)])]
        + ["FuzzProcfile", "FuzzYAML", "FuzzSlugIgnore", "FuzzDetectionRules", "FuzzTarReader"].map {
            .executableTarget(name: $0, dependencies: ["FuzzDriver", .product(name: "SlugKit", package: "slugc")],
                              swiftSettings: fuzzer)
        }
)

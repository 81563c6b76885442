// swift-tools-version: 5.9
import PackageDescription

// An executable with a resource bundle: it must find motd.txt through Bundle.module at run time,
// from the slug, after the build folder is gone.
let package = Package(
    name: "swift-resources",
    products: [.executable(name: "motd", targets: ["motd"])],
    targets: [.executableTarget(name: "motd", resources: [.copy("Resources/motd.txt")])]
)

import Foundation
import FuzzDriver
@testable import SlugKit

/// Any bytes as a `buildpack.yml`; a manifest that loads has its rules evaluated against a
/// small fixed app, and explained. Errors are fine; crashes, hangs and unbounded globs are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDetectionRules(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let buildpack = try? BuildpackManifest.parse(text, file: "buildpack.yml", directory: FuzzApp.folder) else { return 0 }
    let evaluator = RuleEvaluator(root: FuzzApp.folder, globEntryLimit: 200)
    if case .rules(let rule) = buildpack.detection { _ = evaluator.evaluate(rule) }
    if let requirement = buildpack.requirement { _ = evaluator.evaluate(requirement) }
    return 0
}

/// A few files and folders the rules can find, made once per fuzzing process.
enum FuzzApp {
    static let folder: URL = {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("slugc-fuzz-app-\(getpid())")
        let files = ["requirements.txt": "flask==3.0\n", "app.py": "import flask\n", "public/index.html": "<h1>hi</h1>\n",
                     "server/Package.swift": "// swift-tools-version: 6.0\n"]
        for (path, contents) in files {
            let url = root.appendingPathComponent(path)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Data(contents.utf8).write(to: url)
        }
        try? FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("outside").path, withDestinationPath: "/etc/passwd")
        atexit { try? FileManager.default.removeItem(at: FuzzApp.folder) }
        return root
    }()
}

/// The executable's entry point (see FuzzDriver).
@_cdecl("FuzzDetectionRules_main")
public func fuzzDetectionRulesMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzDetectionRules(data, size) }
}

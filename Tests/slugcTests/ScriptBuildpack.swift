import Foundation
import SlugTestSupport

/// A classic buildpack written by a test: `bin/detect` says yes, the other scripts are what the
/// test gives (bytes, so a test can write CRLF or a missing interpreter). Returns its folder.
func scriptBuildpack(_ name: String, in temporary: TemporaryDirectory, compile: String,
                     release: String? = nil) throws -> URL {
    let folder = temporary.appending(name)
    let bin = folder.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    var scripts = ["detect": "#!/bin/sh\necho Scripted\n", "compile": compile]
    if let release { scripts["release"] = release }
    for (script, text) in scripts {
        let file = bin.appendingPathComponent(script)
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }
    return folder
}

/// An app with a Procfile, enough for a classic buildpack to build.
func procfileApp(in temporary: TemporaryDirectory, name: String = "app") throws -> URL {
    let app = temporary.appending(name)
    try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
    try Data("web: true\n".utf8).write(to: app.appendingPathComponent("Procfile"))
    return app
}

/// The names in `folder`, sorted (to show what a failed build left there).
func names(in folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
}

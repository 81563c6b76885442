import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The portability check on real trees and slugs: the pack walk (what `build` and `pack` warn
/// about) and the survey of a slug (what `inspect` lists) find the same things.
final class PortabilitySlugTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "portability") }
    override func tearDown() { temporary.remove() }

    /// An app folder with one of each thing that would not travel, and its harmless twin.
    static func leakyTree(at root: URL) throws {
        let fm = FileManager.default
        func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
            try SlugTestTrees.writeFile(path, text, mode: mode, under: root)
        }
        func link(_ path: String, _ target: String) throws {
            let url = root.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }
        func elf(_ path: String, runpath: String) throws {
            let url = root.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(atPath: "/bin/true", toPath: url.path)
            try SlugTestTrees.run(["patchelf", "--set-rpath", runpath, url.path])
        }
        try write("Procfile", "web: bin/web\n")
        try write("bin/web", "#!/usr/bin/env python3\nprint('hi')\n", mode: 0o755)
        try write("bin/gunicorn", "#!/root/.pyenv/versions/3.11.7/bin/python\nimport gunicorn\n", mode: 0o755)
        try link("bin/python3.11", "/root/.pyenv/versions/3.11.7/bin/python3.11")
        try link("bin/python", "python3.11")
        try link("bin/python3", "/app/bin/python3.11")
        try link("lib/shared", "../../shared/lib")
        try elf("lib/libbuilt.so", runpath: "/opt/build/lib")
        try elf("lib/librelocatable.so", runpath: "$ORIGIN/../lib")
        // A second name for the same file is reported once, under the first name.
        try fm.linkItem(atPath: root.appendingPathComponent("lib/libbuilt.so").path,
                        toPath: root.appendingPathComponent("lib/zz-libbuilt-again.so").path)
        try write("settings.py", "STATIC_ROOT = '/tmp/slugc-build-AbC123/app/static'\n")
    }

    static let expected: [(path: String, kind: PortabilityFinding.Kind, target: String)] = [
        ("bin/gunicorn", .shebang, "/root/.pyenv/versions/3.11.7/bin/python"),
        ("bin/python3.11", .symlink, "/root/.pyenv/versions/3.11.7/bin/python3.11"),
        ("lib/libbuilt.so", .elfRpath, "/opt/build/lib"),
        ("lib/shared", .symlink, "../../shared/lib"),
        ("settings.py", .buildPath, "/tmp/slugc-build-AbC123/app"),
    ]

    private func describe(_ findings: [PortabilityFinding]) -> [String] {
        findings.map { "\($0.path) \($0.kind.rawValue) \($0.target)" }
    }

    func testPackingAndSurveyingFindTheSameThings() throws {
        let app = temporary.appending("app")
        try Self.leakyTree(at: app)
        let slug = temporary.appending("slug.tgz")
        var options = PackOptions()
        options.portability = PortabilityCheck()
        // Small blocks, so the tar stream reaches the survey in many pieces.
        options.blockSize = 4096
        let packed = try SlugPacker.pack(directory: app, to: slug, options: options)
        let expected = Self.expected.map { "\($0.path) \($0.kind.rawValue) \($0.target)" }
        XCTAssertEqual(describe(packed.portability), expected)

        let survey = try SlugReader.survey(slug, reading: "Procfile", portability: PortabilityCheck())
        XCTAssertEqual(survey.portability, packed.portability)
        XCTAssertEqual(survey.file, Data("web: bin/web\n".utf8))
        // Without a check, nothing is looked at and nothing is found.
        XCTAssertEqual(try SlugReader.survey(slug, reading: "Procfile").portability, [])
        XCTAssertEqual(try SlugPacker.pack(directory: app, to: temporary.appending("plain.tgz"), options: PackOptions()).portability, [])
    }

    func testTheBuildFolderIsFoundExactlyWhenPacking() throws {
        let app = temporary.appending("app")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try Data("ROOT = '\(app.path)/static'\nOTHER = '/tmp/slugc-build-XyZ789/app'\n".utf8).write(to: app.appendingPathComponent("settings.py"))
        var options = PackOptions()
        options.portability = PortabilityCheck(buildFolders: [app.path])
        let packed = try SlugPacker.pack(directory: app, to: temporary.appending("slug.tgz"), options: options)
        XCTAssertEqual(describe(packed.portability), ["settings.py build-path \(app.path)"])

        // Under a symlinked folder, a tool that resolves links writes the other path; both are searched.
        let linked = temporary.appending("linked")
        try FileManager.default.createSymbolicLink(at: linked, withDestinationURL: temporary.url)
        let viaLink = linked.appendingPathComponent("app").path
        options.portability = PortabilityCheck(buildFolders: [viaLink, app.path])
        let resolved = try SlugPacker.pack(directory: URL(fileURLWithPath: viaLink), to: temporary.appending("linked.tgz"), options: options)
        XCTAssertEqual(describe(resolved.portability), ["settings.py build-path \(app.path)"])
    }

    func testTheReleaseMetadataAddedToTheSlugIsCheckedToo() throws {
        let app = temporary.appending("app")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        var options = PackOptions()
        options.portability = PortabilityCheck()
        options.extraFiles = [".slugc/release.json": Data(#"{"config_vars": {"PATH": "/tmp/slugc-build-AbC123/app/bin"}}"#.utf8)]
        let slug = temporary.appending("slug.tgz")
        let packed = try SlugPacker.pack(directory: app, to: slug, options: options)
        XCTAssertEqual(describe(packed.portability), [".slugc/release.json build-path /tmp/slugc-build-AbC123/app"])
        let survey = try SlugReader.survey(slug, reading: ".slugc/release.json", portability: PortabilityCheck())
        XCTAssertEqual(survey.portability, packed.portability)
    }
}

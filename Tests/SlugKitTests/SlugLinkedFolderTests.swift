import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// `PackOptions.linkedFolders`: a symlink packed as the folder it stands for gives the slug a
/// copy of that folder would give, in every pack mode; nothing else is followed.
final class SlugLinkedFolderTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "linked-folder")
    }

    override func tearDown() {
        temporary.remove()
    }

    /// A folder like an installed Python: nested folders, an empty one, a relative symlink, a
    /// hard link inside it, an executable, and enough bytes for several blocks.
    private func makeSource(at root: URL) throws {
        try SlugTestTrees.writeFile("bin/python3.11", "#!/bin/sh\n", mode: 0o755, under: root)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("bin/python").path, withDestinationPath: "python3.11")
        for index in 0..<40 {
            let text = String(decoding: SlugTestTrees.compressible(3_000 + index * 97, seed: UInt64(index)), as: UTF8.self)
            try SlugTestTrees.writeFile("lib/site-packages/pkg\(index % 7)/module\(index).py", text, under: root)
        }
        try SlugTestTrees.incompressible(300_000).write(to: root.appendingPathComponent("lib/libpython.so"))
        try FileManager.default.linkItem(atPath: root.appendingPathComponent("lib/libpython.so").path,
                                         toPath: root.appendingPathComponent("lib/libpython.so.1.0").path)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("include/empty"), withIntermediateDirectories: true)
    }

    /// An app holding `.heroku/python` as `place`s it: a copy of the source, or a link to it.
    private func makeApp(_ name: String, linking source: URL?) throws -> URL {
        let app = temporary.appending(name)
        try SlugTestTrees.writeFile("Procfile", "web: python app.py\n", under: app)
        try SlugTestTrees.writeFile("app.py", "print('hello')\n", under: app)
        try SlugTestTrees.writeFile(".heroku/src/readme.txt", "beside the linked folder\n", under: app)
        let prefix = app.appendingPathComponent(".heroku/python")
        if let source {
            try FileManager.default.createSymbolicLink(atPath: prefix.path, withDestinationPath: source.path)
        } else {
            try makeSource(at: prefix)
        }
        return app
    }

    private func pack(_ app: URL, linked: [String: String], singleMember: Bool = false, threads: Int = 2) throws -> Data {
        var options = PackOptions()
        options.linkedFolders = linked
        options.singleMember = singleMember
        options.threads = threads
        options.blockSize = 16 * 1024
        let slug = temporary.appending("\(app.lastPathComponent)-\(singleMember)-\(threads)-\(UUID().uuidString).tgz")
        _ = try SlugPacker.pack(directory: app, to: slug, options: options)
        return try Data(contentsOf: slug)
    }

    /// The slug's entries, as libarchive reads them.
    private func entries(_ slug: URL) throws -> [TarEntry] {
        let reader = try TarReader(path: slug.path)
        var found: [TarEntry] = []
        while let entry = try reader.next() { found.append(entry) }
        return found
    }

    func testALinkedFolderPacksAsACopyOfItWouldInEveryMode() throws {
        let source = temporary.appending("cache/installed")
        try makeSource(at: source)
        let copied = try makeApp("copied", linking: nil)
        let linked = try makeApp("linked", linking: source)
        let links = [".heroku/python": source.path]
        for (singleMember, threads) in [(false, 2), (false, 1), (true, 2)] {
            let expected = try pack(copied, linked: [:], singleMember: singleMember, threads: threads)
            let got = try pack(linked, linked: links, singleMember: singleMember, threads: threads)
            XCTAssertEqual(got, expected, "single member: \(singleMember), threads: \(threads)")
        }
        // The same link, not listed, stays a link.
        let unlisted = temporary.appending("unlisted.tgz")
        _ = try SlugPacker.pack(directory: linked, to: unlisted, options: PackOptions())
        let entries = try entries(unlisted)
        let link = try XCTUnwrap(entries.first { $0.path == "./app/.heroku/python" })
        XCTAssertEqual(link.kind, .symlink)
        XCTAssertFalse(entries.contains { $0.path.hasPrefix("./app/.heroku/python/") })
    }

    func testOnlyTheListedLinkIsFollowedAndAFolderThereIsPackedAsItIs() throws {
        let source = temporary.appending("cache/installed")
        try makeSource(at: source)
        // A symlink to a folder inside the linked folder is stored as a link, not followed.
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("lib/outside").path,
                                                   withDestinationPath: temporary.appending("cache").path)
        let app = try makeApp("linked", linking: source)
        let slug = temporary.appending("linked.tgz")
        var options = PackOptions()
        options.linkedFolders = [".heroku/python": source.path, "app.py": source.path]
        _ = try SlugPacker.pack(directory: app, to: slug, options: options)
        let entries = try entries(slug)
        XCTAssertEqual(entries.first { $0.path == "./app/.heroku/python/lib/outside" }?.kind, .symlink)
        XCTAssertFalse(entries.contains { $0.path.hasPrefix("./app/.heroku/python/lib/outside/") })
        // A listed name that is a regular file on disk is packed as that file.
        XCTAssertEqual(entries.first { $0.path == "./app/app.py" }?.kind, .file)
    }

    func testALinkedFolderThatIsGoneSaysWhichFolder() throws {
        let source = temporary.appending("cache/installed")
        try makeSource(at: source)
        let app = try makeApp("linked", linking: source)
        try FileManager.default.removeItem(at: source)
        var options = PackOptions()
        options.linkedFolders = [".heroku/python": source.path]
        XCTAssertThrowsError(try SlugPacker.pack(directory: app, to: temporary.appending("gone.tgz"), options: options)) { error in
            XCTAssertEqual(String(describing: error), "\(source.path): No such file or directory")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("gone.tgz").path))
    }
}

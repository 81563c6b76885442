import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

final class SlugReaderTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-read")
    }

    override func tearDown() {
        temporary.remove()
    }

    private func packEveryKind(singleMember: Bool = false) throws -> (source: URL, slug: URL) {
        let source = temporary.appending("source")
        if !FileManager.default.fileExists(atPath: source.path) { try SlugTestTrees.everyKind(at: source) }
        let slug = temporary.appending("slug-\(singleMember).tgz")
        var options = PackOptions()
        options.singleMember = singleMember
        options.extraFiles = [".slugc/release.json": Data("{}".utf8)]
        _ = try SlugPacker.pack(directory: source, to: slug, options: options)
        return (source, slug)
    }

    func testExtractRestoresTheAppContentsWithoutThePrefix() throws {
        for singleMember in [false, true] {
            let (source, slug) = try packEveryKind(singleMember: singleMember)
            let out = temporary.appending("out-\(singleMember)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try SlugReader.extract(slug, into: out)
            let expected = try SlugTestTrees.describe(source, dropGit: true).filter { !$0.contains("src/vendor/.git") }
            let extracted = try SlugTestTrees.describe(out)
            XCTAssertEqual(extracted.filter { !$0.hasPrefix("\".slugc") }, expected)
            // Extra files: mode 0644 and their folder created; the last word is a content hash.
            XCTAssertEqual(extracted.filter { $0.hasPrefix("\".slugc") }.map { $0.split(separator: " ").prefix(4).joined(separator: " ") },
                           ["\".slugc\" dir 755", "\".slugc/release.json\" file 644 2"])
            XCTAssertEqual(SlugTestTrees.inode(of: out.appendingPathComponent("hard1")),
                           SlugTestTrees.inode(of: out.appendingPathComponent("src/hard2")))
        }
    }

    func testReadFileFindsOneFileAndFollowsHardLinks() throws {
        let (_, slug) = try packEveryKind()
        XCTAssertEqual(try SlugReader.readFile("Procfile", from: slug), Data("web: python app.py\n".utf8))
        XCTAssertEqual(try SlugReader.readFile("./src/hard2", from: slug), Data("shared contents\n".utf8))
        XCTAssertEqual(try SlugReader.readFile(".slugc/release.json", from: slug), Data("{}".utf8))
        XCTAssertNil(try SlugReader.readFile("missing", from: slug))
        XCTAssertNil(try SlugReader.readFile("src", from: slug))
        XCTAssertNil(try SlugReader.readFile(".git/config", from: slug))
    }

    func testSurveyCountsFilesOnceByFolderAndReadsTheFileInTheSamePass() throws {
        let (_, slug) = try packEveryKind()
        let survey = try SlugReader.survey(slug, reading: "Procfile")
        XCTAssertEqual(survey.largestFolders.first, FolderSize(path: "src", bytes: 50_000 + 10 + 9))
        XCTAssertEqual(survey.largestFolders[1], FolderSize(path: "src/nested", bytes: 50_000))
        XCTAssertEqual(survey.uncompressedSize, 50_105)
        XCTAssertEqual(survey.file, Data("web: python app.py\n".utf8))
        // A hard link still gives its contents, and a missing file changes none of the sizes.
        XCTAssertEqual(try SlugReader.survey(slug, reading: "src/hard2").file, Data("shared contents\n".utf8))
        let missing = try SlugReader.survey(slug, reading: "missing")
        XCTAssertNil(missing.file)
        XCTAssertEqual(missing.uncompressedSize, 50_105)
        XCTAssertEqual(missing.largestFolders, survey.largestFolders)
    }

    func testArchiveNamesResolveTheSameOnTheUsualPathAndTheCarefulOne() {
        let stripped: [(String, ArchivePath)] = [
            ("./app/", .root), ("./app", .root), ("app", .root), ("./app/a/b", .inside("a/b")), ("./app/a/b/", .inside("a/b")),
            ("./app//a", .inside("a")), ("./app/./a", .inside("a")), ("././app/x", .inside("x")), ("./app/.hidden", .inside(".hidden")),
            ("./app/..hidden/x", .inside("..hidden/x")), ("./app/ünï/x", .inside("ünï/x")), ("./app/../x", .unsafe),
            ("./app/a/..", .unsafe), ("/abs", .unsafe), ("./x", .outside), ("./apple/x", .outside), ("", .outside),
        ]
        for (name, expected) in stripped { XCTAssertEqual(ArchivePath.resolve(name, stripAppPrefix: true), expected, name) }
        let kept: [(String, ArchivePath)] = [
            ("bin/compile", .inside("bin/compile")), ("./bin/", .inside("bin")), ("a/../../x", .unsafe), ("", .root), ("./", .root),
        ]
        for (name, expected) in kept { XCTAssertEqual(ArchivePath.resolve(name, stripAppPrefix: false), expected, name) }
    }

    func testNotASlugAndMissingFilesSayWhatIsWrong() throws {
        let bogus = temporary.appending("bogus.tgz")
        try Data("hello, not an archive".utf8).write(to: bogus)
        XCTAssertThrowsError(try SlugReader.readFile("Procfile", from: bogus)) { error in
            XCTAssertEqual("\(error)", "\(bogus.path) is not a slug (a gzip-compressed tar): Unrecognized archive format")
        }
        let missing = temporary.appending("missing.tgz")
        XCTAssertThrowsError(try SlugReader.extract(missing, into: temporary.url)) { error in
            XCTAssertEqual("\(error)", "\(missing.path): No such file or directory")
        }
    }

    /// Crafts an archive with python3's tarfile, which writes whatever names it is given.
    private func craft(_ name: String, _ entries: String) throws -> URL {
        let archive = temporary.appending(name)
        let script = """
        import io, sys, tarfile
        with tarfile.open(sys.argv[1], "w:gz") as tar:
            for kind, name, extra in [\(entries)]:
                info = tarfile.TarInfo(name)
                if kind == "file":
                    info.size = len(extra)
                    tar.addfile(info, io.BytesIO(extra.encode()))
                elif kind == "symlink":
                    info.type, info.linkname = tarfile.SYMTYPE, extra
                    tar.addfile(info)
                elif kind == "hardlink":
                    info.type, info.linkname = tarfile.LNKTYPE, extra
                    tar.addfile(info)
        """
        try SlugTestTrees.run(["python3", "-c", script, archive.path])
        return archive
    }

    func testExtractArchiveRefusesEntriesThatEscapeAndWritesNothingOutside() throws {
        let cases: [(String, String, String)] = [
            ("dotdot.tgz", #"("file", "ok.txt", "fine"), ("file", "../evil", "evil")"#, "../evil"),
            ("nested-dotdot.tgz", #"("file", "a/../../evil", "evil")"#, "a/../../evil"),
            ("absolute.tgz", #"("file", "\#(temporary.url.path)/evil", "evil")"#, "\(temporary.url.path)/evil"),
            ("symlink.tgz", #"("symlink", "link", "../../evil"), ("file", "link/x", "evil")"#, "link -> ../../evil"),
            ("abs-symlink.tgz", #"("symlink", "etc", "/etc")"#, "etc -> /etc"),
            ("hardlink.tgz", #"("hardlink", "passwd", "/etc/passwd")"#, "passwd (hard link to /etc/passwd)"),
        ]
        for (name, entries, refused) in cases {
            let archive = try craft(name, entries)
            let out = temporary.appending("out-\(name)/inner")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            XCTAssertThrowsError(try SlugReader.extractArchive(archive, into: out, stripAppPrefix: false), name) { error in
                XCTAssertEqual("\(error)", "\(archive.path): refusing entry '\(refused)': it would be written outside the folder it is extracted to.")
            }
            let outside = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
            XCTAssertEqual(outside, ["inner"], name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("evil").path), name)
        }
    }

    func testExtractKeepsSymlinksThatLeaveButNeverWritesThroughThem() throws {
        let elsewhere = temporary.appending("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let slug = try craft("slug.tgz", #"("symlink", "./app/python", "/usr/bin/python3"), ("symlink", "./app/out", "\#(elsewhere.path)"), ("file", "./app/out/x", "evil"), ("file", "./outside.txt", "x")"#)
        let out = temporary.appending("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        XCTAssertThrowsError(try SlugReader.extract(slug, into: out)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(out.path)/out/x: Cannot extract through symlink"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("python").path), "/usr/bin/python3")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), [])
    }

    func testExtractArchiveKeepsTheBytesOfNamesFromAGNUTarball() throws {
        // GNU tar's own format stores names as bytes (no pax header), as buildpack tarballs often are.
        let archive = temporary.appending("names.tgz")
        let script = #"""
        import io, sys, tarfile
        with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as tar:
            for name in ["e\u0301.txt", "\u00e9.txt"]:
                info = tarfile.TarInfo(name)
                info.size = len(name.encode())
                tar.addfile(info, io.BytesIO(name.encode()))
        """#
        try SlugTestTrees.run(["python3", "-c", script, archive.path])
        let out = temporary.appending("names")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try SlugReader.extractArchive(archive, into: out, stripAppPrefix: false)
        let listed = try SlugTestTrees.run(["python3", "-c", "import os, sys; print(sorted(os.listdir(sys.argv[1].encode())))", out.path]).stdout
        XCTAssertEqual(listed.trimmingCharacters(in: .whitespacesAndNewlines), #"[b'e\xcc\x81.txt', b'\xc3\xa9.txt']"#)
    }

    func testExtractArchiveUnpacksAPlainTarballWithInsideLinks() throws {
        let archive = try craft("buildpack.tgz", #"("file", "./bin/compile", "echo compile"), ("symlink", "bin/detect", "compile"), ("hardlink", "bin/release", "bin/compile")"#)
        let out = temporary.appending("buildpack")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try SlugReader.extractArchive(archive, into: out, stripAppPrefix: false)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("bin/release"), encoding: .utf8), "echo compile")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("bin/detect").path), "compile")
    }
}

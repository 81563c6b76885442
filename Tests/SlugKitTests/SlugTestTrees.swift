import Foundation
import SlugTestSupport
import XCTest

/// Builds small trees with every kind of entry, and describes trees so two can be compared.
enum SlugTestTrees {
    /// Writes `text` at `path` under `root`, making the folders on the way, with `mode`.
    static func writeFile(_ path: String, _ text: String, mode: Int = 0o644, under root: URL) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    static let longPath = "long/" + String(repeating: "x", count: 100) + "/" + String(repeating: "y", count: 94)

    /// Nested folders, an empty folder, symlinks, a hard link, an executable, a 200-char path,
    /// names with spaces, unicode and a newline, `.git` folders (which must be left out).
    static func everyKind(at root: URL) throws {
        let fm = FileManager.default
        func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
            try writeFile(path, text, mode: mode, under: root)
        }
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try write("Procfile", "web: python app.py\n")
        try write("bin/run", "#!/bin/sh\necho run\n", mode: 0o755)
        try write("src/nested/deep/file.txt", String(repeating: "deep text ", count: 5000))
        try write("src/readonly.txt", "read only\n", mode: 0o444)
        try fm.createDirectory(at: root.appendingPathComponent("empty/inner-empty"), withIntermediateDirectories: true)
        try write("private/secret", "s\n", mode: 0o600)
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.appendingPathComponent("private").path)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("link-to-dir").path, withDestinationPath: "src/nested")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("dangling").path, withDestinationPath: "nowhere/at all")
        try write("hard1", "shared contents\n")
        try fm.linkItem(atPath: root.appendingPathComponent("hard1").path, toPath: root.appendingPathComponent("src/hard2").path)
        try write("a name with spaces.txt", "spaces\n")
        try write("ünïcødé-ファイル.txt", "unicode\n")
        try write("new\nline.txt", "newline\n")
        try write(longPath, "long\n")
        try write(".git/config", "[core]\n")
        try write("src/vendor/.git/HEAD", "ref: refs/heads/main\n")
        try write("src/vendor/lib.py", "print(1)\n")
    }

    /// Writes `count` bytes of text that compresses about as well as source code does.
    static func compressible(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        let words = ["def ", "return ", "self", ".value", " = ", "(", ")", ":\n    ", "import ", "os", "\n", "x", "1", "None"]
        while bytes.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes.append(contentsOf: words[Int(state >> 33) % words.count].utf8)
            if state & 0xff < 8 { bytes.append(UInt8(truncatingIfNeeded: state >> 20)) }
        }
        return Data(bytes.prefix(count))
    }

    /// Writes `count` bytes that no compressor can shrink (like a wheel or an image), the same for the same seed.
    static func incompressible(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            // splitmix64: every output byte is as good as random, which the LCG above is not.
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            withUnsafeBytes(of: mixed) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes.prefix(count))
    }

    /// One line per entry: path, type, permissions, link target or contents; `.git` left out
    /// when `dropGit`. Hard links are checked separately (`inode(of:)`).
    static func describe(_ root: URL, dropGit: Bool = false) throws -> [String] {
        var lines: [String] = []
        func visit(_ relative: String) throws {
            let path = relative.isEmpty ? root.path : root.path + "/" + relative
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            for name in names where !(dropGit && name == ".git") {
                let rel = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root.path + "/" + rel, &info) == 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: rel]) }
                let mode = String(info.st_mode & 0o7777, radix: 8)
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    lines.append("\(rel.debugDescription) dir \(mode)")
                    try visit(rel)
                case S_IFLNK:
                    let target = try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/" + rel)
                    lines.append("\(rel.debugDescription) symlink -> \(target)")
                default:
                    let data = try Data(contentsOf: URL(fileURLWithPath: root.path + "/" + rel))
                    lines.append("\(rel.debugDescription) file \(mode) \(data.count) \(data.hashValue)")
                }
            }
        }
        try visit("")
        return lines
    }

    static func inode(of url: URL) -> UInt64 {
        var info = stat()
        return lstat(url.path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    /// Runs a program found on PATH and fails the test when it exits non-zero.
    @discardableResult
    static func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let result = try runCommand("/usr/bin/env", arguments)
        XCTAssertEqual(result.exitCode, 0, "\(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result
    }
}

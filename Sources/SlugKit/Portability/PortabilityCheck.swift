import Foundation

/// Checks a slug, entry by entry, for what would not travel to a dyno (DESIGN.md: "Nothing in
/// it points outside it"): symlinks out of the app, ELF interpreters and RPATH/RUNPATH entries
/// outside the app and the system's library folders, `#!` lines naming a build machine's
/// interpreter, and files holding the build folder's path. `RunImagePaths` has the exact rule.
///
/// It is fed by whatever already goes over every entry once, so checking costs no extra read:
/// the pack walk (`PackOptions.portability`, for `build` and `pack`) and the survey of a slug
/// (`SlugReader.survey`, for `inspect`). Findings come out in the order the entries came.
public struct PortabilityCheck: Sendable {
    private let searches: [BuildPathSearch]
    /// What the check looks for, in a line: the pack cache's file index keeps findings only for
    /// the same check.
    let describesSearches: String
    /// What was found so far, in the order the entries came.
    public private(set) var findings: [PortabilityFinding] = []

    /// Checks against the folder the files were built in, when it is known (`build` knows its
    /// workspace's `app/`, under each path it has: as named and with symlinks resolved);
    /// otherwise against any folder a slugc build makes (`…/slugc-build-XXXXXX/app`), which is
    /// all a slug alone can tell.
    public init(buildFolders: [String] = []) {
        let known = buildFolders.filter { !$0.isEmpty }
        searches = known.isEmpty ? [BuildPathSearch.slugcBuildFolder] : known.map(BuildPathSearch.init(exactly:))
        describesSearches = known.isEmpty ? "any slugc build folder" : "build folders " + known.joined(separator: "\u{0}")
    }

    /// A symlink at `path` (relative to the app root) pointing to `target`, exactly as stored.
    mutating func checkSymlink(at path: String, target: String) {
        if let parts = RunImagePaths.components(ofAbsolute: target) {
            if !RunImagePaths.symlinkTargetTravels(parts) { findings.append(.absoluteSymlink(at: path, target: target)) }
        } else if !target.isEmpty, !RunImagePaths.relativeTargetStaysInApp(linkAt: path, target: target) {
            findings.append(.climbingSymlink(at: path, target: target))
        }
    }

    /// Starts looking at a regular file at `path` with permission bits `mode` and `size` bytes.
    /// `keepsELF`: keep what is needed of an ELF file from the stream, when it cannot be read
    /// again afterwards.
    func startFile(at path: String, mode: UInt32, size: Int64?, keepsELF: Bool) -> PortableFileScan {
        PortableFileScan(path: path, isExecutable: mode & 0o111 != 0, size: size, keepsELF: keepsELF, searches: searches)
    }

    /// Looks for the build path only, in a part of a file that does not start it (a large
    /// file's data is checked piece by piece as it is read): feed it the `searchOverlap` bytes
    /// before the part first, so a match across the joint is found.
    func startSearch(at path: String) -> PortableFileScan {
        PortableFileScan(path: path, isExecutable: false, size: nil, keepsELF: false, searches: searches, searchesOnly: true)
    }

    /// Bytes before a part of a file that `startSearch` needs to see: a match's length and the
    /// context read back before it.
    var searchOverlap: Int {
        searches.map { $0.length - 1 + BuildPathSearch.context }.max() ?? 0
    }

    /// Records what a file's scan found once all its bytes went through it; `elf` is where to
    /// read an ELF file's headers again (the open file, while packing).
    mutating func finish(_ scan: PortableFileScan, elf: (any ELFBytes)? = nil) {
        findings += scan.findings(elf: elf)
    }

    /// A file held in memory (the release metadata added to a slug), checked in one go.
    mutating func checkFile(at path: String, contents: Data, mode: UInt32) {
        var scan = startFile(at: path, mode: mode, size: Int64(contents.count), keepsELF: true)
        contents.withUnsafeBytes { scan.consume($0) }
        finish(scan)
    }
}

/// One regular file of a slug, looked at while its bytes stream past once (into the tar stream
/// while packing, out of it while inspecting): its first bytes say whether it is an ELF file or
/// a `#!` script, and every byte goes through the build-path search. Start one with
/// `PortabilityCheck.startFile`, feed it with `consume`, hand it back to `PortabilityCheck.finish`.
struct PortableFileScan {
    /// What the kernel reads of a script to find its `#!` line (`BINPRM_BUF_SIZE`).
    static let headLength = 256

    /// The file's path relative to the app root.
    let path: String
    /// Any execute bit set: a `#!` line matters only in a file that is run.
    let isExecutable: Bool
    /// Whether to keep an ELF file's headers from the stream; packing reads them from disk instead.
    private let keepsELF: Bool
    private var head: [UInt8] = []
    private var streamedELF: StreamedELFBytes?
    private var elfDecided = false
    private var searches: [BuildPathStream]
    /// The file's size, when known: what an ELF file's kept bytes are allocated for.
    private let size: Int64?

    /// Only the build-path search counts, not what the first bytes say (`PortabilityCheck.startSearch`).
    private let searchesOnly: Bool

    init(path: String, isExecutable: Bool, size: Int64?, keepsELF: Bool, searches: [BuildPathSearch],
         searchesOnly: Bool = false) {
        self.searchesOnly = searchesOnly
        self.path = path
        self.isExecutable = isExecutable
        self.size = size
        self.keepsELF = keepsELF
        self.searches = searches.map(BuildPathStream.init)
    }

    /// Whether the file starts as an ELF file does.
    var isELF: Bool { ELFFile.hasMagic(head) }

    /// The next bytes of the file, in order.
    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        guard !chunk.isEmpty else { return }
        let earlier = head.count
        if head.count < Self.headLength { head.append(contentsOf: chunk.prefix(Self.headLength - head.count)) }
        // Mutated in place: a copy would duplicate the kept megabytes on every chunk.
        if streamedELF != nil {
            streamedELF?.append(chunk)
        } else if keepsELF, !elfDecided, head.count >= 4 {
            elfDecided = true
            if isELF {
                var kept = StreamedELFBytes(size: size)
                head[..<earlier].withUnsafeBytes { kept.append($0) }
                kept.append(chunk)
                streamedELF = kept
            }
        }
        for index in searches.indices { searches[index].consume(chunk) }
    }

    /// What is wrong with the file, in a fixed order: ELF interpreter, RPATH, RUNPATH, `#!`,
    /// build path. `elf` is where to read an ELF file's headers when they were not kept.
    func findings(elf source: (any ELFBytes)?) -> [PortabilityFinding] {
        var found: [PortabilityFinding] = []
        if searchesOnly {
        } else if isELF, let elf = source.flatMap({ ELFFile(reading: $0) }) ?? streamedELF.flatMap({ ELFFile(reading: $0) }) {
            if let interpreter = elf.interpreter,
               !(RunImagePaths.components(ofAbsolute: interpreter).map(RunImagePaths.isLibraryPath) ?? false) {
                found.append(.elfInterpreter(at: path, interpreter: interpreter))
            }
            for entry in elf.rpath where !RunImagePaths.searchPathTravels(entry) {
                found.append(.elfSearchPath(at: path, entry: entry, field: "RPATH"))
            }
            for entry in elf.runpath where !RunImagePaths.searchPathTravels(entry) {
                found.append(.elfSearchPath(at: path, entry: entry, field: "RUNPATH"))
            }
        } else if isExecutable, let interpreter = Self.shebangInterpreter(head),
                  let parts = RunImagePaths.components(ofAbsolute: interpreter), !RunImagePaths.isCommandPath(parts) {
            found.append(.shebang(at: path, interpreter: interpreter))
        }
        if let folder = searches.lazy.compactMap(\.found).first {
            found.append(.buildPath(at: path, folder: folder))
        }
        return found
    }

    /// The interpreter a `#!` line names (`/usr/bin/env` in `#!/usr/bin/env python3`), or nil
    /// when the file does not start with one. A NUL in the line means binary data, not a script.
    static func shebangInterpreter(_ head: [UInt8]) -> String? {
        guard head.count > 2, head[0] == UInt8(ascii: "#"), head[1] == UInt8(ascii: "!") else { return nil }
        let lineEnd = head.firstIndex(of: UInt8(ascii: "\n")) ?? head.count
        guard !head[..<lineEnd].contains(0) else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") }
        var start = 2
        while start < lineEnd, isBlank(head[start]) { start += 1 }
        var end = start
        while end < lineEnd, !isBlank(head[end]) { end += 1 }
        guard end > start else { return nil }
        return String(validating: head[start..<end], as: UTF8.self)
    }
}

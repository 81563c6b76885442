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

    init(path: String, isExecutable: Bool, size: Int64?, keepsELF: Bool, searches: [BuildPathSearch]) {
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
        if isELF, let elf = source.flatMap({ ELFFile(reading: $0) }) ?? streamedELF.flatMap({ ELFFile(reading: $0) }) {
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

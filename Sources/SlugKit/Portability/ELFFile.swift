/// What the portability check needs from an ELF file: its interpreter (`PT_INTERP`) and its
/// library search paths (`DT_RPATH`, `DT_RUNPATH`). 32- and 64-bit, either byte order.
///
/// Slugs hold whatever a build left, so the input may be truncated, damaged or hostile: every
/// offset and size is checked against what `ELFBytes` can give and capped, arithmetic never
/// overflows, and anything that does not add up ends the reading with what was found so far.
struct ELFFile: Equatable {
    /// `ET_EXEC` (2) for a fixed-address program, `ET_DYN` (3) for a shared object or a PIE program.
    var type: UInt16
    var is64Bit: Bool
    var isLittleEndian: Bool
    /// The dynamic loader the kernel starts the program with, nil for a static program or a library.
    var interpreter: String?
    /// `DT_RPATH` entries, split at `:`.
    var rpath: [String] = []
    /// `DT_RUNPATH` entries, split at `:`.
    var runpath: [String] = []

    /// `\x7FELF`: the first four bytes of every ELF file.
    static func hasMagic(_ head: some Collection<UInt8>) -> Bool {
        head.count >= 4 && head.prefix(4).elementsEqual([0x7F, 0x45, 0x4C, 0x46])
    }

    /// Caps on what is read: far above any real file, low enough that a damaged header costs nothing.
    static let maxProgramHeaderBytes = 1 << 20
    static let maxDynamicBytes = 1 << 20
    static let maxStringLength = 4096

    private static let loadSegment: UInt32 = 1, dynamicSegment: UInt32 = 2, interpreterSegment: UInt32 = 3
    private static let stringTableTag: UInt64 = 5, stringTableSizeTag: UInt64 = 10
    private static let rpathTag: UInt64 = 15, runpathTag: UInt64 = 29

    /// Reads the file's headers, or nil when it is not an executable or shared ELF file whose
    /// headers can be read.
    init?(reading source: some ELFBytes) {
        guard let header = ELFHeader(source), header.type == 2 || header.type == 3 else { return nil }
        type = header.type
        is64Bit = header.is64Bit
        isLittleEndian = header.decoder.isLittleEndian
        let segments = header.programHeaders(source)
        if let interp = segments.first(where: { $0.type == Self.interpreterSegment }) {
            interpreter = Self.string(in: source, at: interp.offset, limit: interp.fileSize)
        }
        guard let dynamic = segments.first(where: { $0.type == Self.dynamicSegment }) else { return }
        readSearchPaths(source, header: header, dynamic: dynamic, loads: segments.filter { $0.type == Self.loadSegment })
    }

    /// The file ranges a streamed reader must keep beyond the first bytes so this type can read
    /// the file: the interpreter and dynamic segments. Empty when the headers are not readable.
    static func segmentRanges(_ source: some ELFBytes) -> [Range<UInt64>] {
        guard let header = ELFHeader(source) else { return [] }
        return header.programHeaders(source)
            .filter { $0.type == interpreterSegment || $0.type == dynamicSegment }
            .compactMap { segment in
                let size = min(segment.fileSize, UInt64(maxDynamicBytes))
                let (end, overflow) = segment.offset.addingReportingOverflow(size)
                return overflow ? nil : segment.offset..<end
            }
    }

    private mutating func readSearchPaths(_ source: some ELFBytes, header: ELFHeader, dynamic: ProgramHeader,
                                          loads: [ProgramHeader]) {
        let entrySize = header.is64Bit ? 16 : 8
        let available = min(dynamic.fileSize, UInt64(Self.maxDynamicBytes))
        guard let bytes = source.bytes(at: dynamic.offset, count: Int(available)) else { return }
        var stringTableAddress: UInt64?
        var stringTableSize: UInt64?
        var rpathOffsets: [UInt64] = [], runpathOffsets: [UInt64] = []
        var index = 0
        while index + entrySize <= bytes.count {
            let tag = header.is64Bit ? header.decoder.uint64(bytes, at: index) : header.decoder.uint32(bytes, at: index).map(UInt64.init)
            let value = header.is64Bit ? header.decoder.uint64(bytes, at: index + 8) : header.decoder.uint32(bytes, at: index + 4).map(UInt64.init)
            guard let tag, let value, tag != 0 else { break }
            switch tag {
            case Self.stringTableTag: stringTableAddress = value
            case Self.stringTableSizeTag: stringTableSize = value
            case Self.rpathTag: rpathOffsets.append(value)
            case Self.runpathTag: runpathOffsets.append(value)
            default: break
            }
            index += entrySize
        }
        guard !(rpathOffsets.isEmpty && runpathOffsets.isEmpty), let address = stringTableAddress,
              let tableOffset = Self.fileOffset(ofAddress: address, in: loads) else { return }
        func entries(_ offsets: [UInt64]) -> [String] {
            offsets.flatMap { offset -> [String] in
                if let size = stringTableSize, offset >= size { return [] }
                let (start, overflow) = tableOffset.addingReportingOverflow(offset)
                guard !overflow else { return [] }
                let limit = stringTableSize.map { $0 - offset } ?? UInt64(Self.maxStringLength)
                guard let text = Self.string(in: source, at: start, limit: limit) else { return [] }
                return text.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            }
        }
        rpath = entries(rpathOffsets)
        runpath = entries(runpathOffsets)
    }

    /// Where a virtual address lies in the file, by the `PT_LOAD` segment that maps it.
    static func fileOffset(ofAddress address: UInt64, in loads: [ProgramHeader]) -> UInt64? {
        for load in loads where address >= load.virtualAddress {
            let delta = address - load.virtualAddress
            guard delta < load.fileSize else { continue }
            let (offset, overflow) = load.offset.addingReportingOverflow(delta)
            if !overflow { return offset }
        }
        return nil
    }

    /// A NUL-terminated string at `offset`, read no further than `limit` bytes (and
    /// `maxStringLength`); nil when it is cut off or not UTF-8.
    static func string(in source: some ELFBytes, at offset: UInt64, limit: UInt64) -> String? {
        let count = Int(min(limit, UInt64(maxStringLength)))
        guard count > 0, let bytes = source.bytes(at: offset, count: count), let end = bytes.firstIndex(of: 0) else { return nil }
        return String(validating: bytes[..<end], as: UTF8.self)
    }
}

/// One program header: the fields the check reads, widened to 64 bits.
struct ProgramHeader: Equatable {
    var type: UInt32
    var offset: UInt64
    var virtualAddress: UInt64
    var fileSize: UInt64
}

/// The ELF file header fields needed to find the program headers, and the byte order to read
/// everything else with.
struct ELFHeader {
    var is64Bit: Bool
    var decoder: ELFDecoder
    var type: UInt16
    var programHeaderOffset: UInt64
    var programHeaderSize: Int
    var programHeaderCount: Int

    /// 52 bytes for a 32-bit header, 64 for a 64-bit one; reading 64 covers both.
    static let length = 64

    init?(_ source: some ELFBytes) {
        guard let bytes = source.bytes(at: 0, count: Self.length), ELFFile.hasMagic(bytes), bytes.count >= 52 else { return nil }
        switch (bytes[4], bytes[5]) {
        case (1, 1): (is64Bit, decoder) = (false, ELFDecoder(isLittleEndian: true))
        case (1, 2): (is64Bit, decoder) = (false, ELFDecoder(isLittleEndian: false))
        case (2, 1): (is64Bit, decoder) = (true, ELFDecoder(isLittleEndian: true))
        case (2, 2): (is64Bit, decoder) = (true, ELFDecoder(isLittleEndian: false))
        default: return nil
        }
        guard let type = decoder.uint16(bytes, at: 16) else { return nil }
        self.type = type
        let fields = is64Bit
            ? (decoder.uint64(bytes, at: 32), decoder.uint16(bytes, at: 54), decoder.uint16(bytes, at: 56))
            : (decoder.uint32(bytes, at: 28).map(UInt64.init), decoder.uint16(bytes, at: 42), decoder.uint16(bytes, at: 44))
        guard let offset = fields.0, let size = fields.1, let count = fields.2 else { return nil }
        // An entry smaller than the fields read is damage; one larger is allowed by the format.
        guard Int(size) >= (is64Bit ? 56 : 32), Int(size) * Int(count) <= ELFFile.maxProgramHeaderBytes else { return nil }
        programHeaderOffset = offset
        programHeaderSize = Int(size)
        programHeaderCount = Int(count)
    }

    /// The program headers, as many as can be read (none when the table is out of reach).
    func programHeaders(_ source: some ELFBytes) -> [ProgramHeader] {
        guard programHeaderCount > 0,
              let table = source.bytes(at: programHeaderOffset, count: programHeaderSize * programHeaderCount) else { return [] }
        var headers: [ProgramHeader] = []
        var start = 0
        while start + programHeaderSize <= table.count {
            let fields = is64Bit
                ? (decoder.uint32(table, at: start), decoder.uint64(table, at: start + 8),
                   decoder.uint64(table, at: start + 16), decoder.uint64(table, at: start + 32))
                : (decoder.uint32(table, at: start), decoder.uint32(table, at: start + 4).map(UInt64.init),
                   decoder.uint32(table, at: start + 8).map(UInt64.init), decoder.uint32(table, at: start + 16).map(UInt64.init))
            guard let type = fields.0, let offset = fields.1, let address = fields.2, let size = fields.3 else { break }
            headers.append(ProgramHeader(type: type, offset: offset, virtualAddress: address, fileSize: size))
            start += programHeaderSize
        }
        return headers
    }
}

/// Reads fixed-size integers from bytes in one byte order, nil past the end.
struct ELFDecoder {
    var isLittleEndian: Bool

    func uint16(_ bytes: [UInt8], at index: Int) -> UInt16? {
        integer(bytes, at: index, size: 2).map { UInt16(truncatingIfNeeded: $0) }
    }

    func uint32(_ bytes: [UInt8], at index: Int) -> UInt32? {
        integer(bytes, at: index, size: 4).map { UInt32(truncatingIfNeeded: $0) }
    }

    func uint64(_ bytes: [UInt8], at index: Int) -> UInt64? {
        integer(bytes, at: index, size: 8)
    }

    private func integer(_ bytes: [UInt8], at index: Int, size: Int) -> UInt64? {
        guard index >= 0, index <= bytes.count - size else { return nil }
        var value: UInt64 = 0
        for position in 0..<size {
            let byte = UInt64(bytes[index + (isLittleEndian ? size - 1 - position : position)])
            value = value << 8 | byte
        }
        return value
    }
}

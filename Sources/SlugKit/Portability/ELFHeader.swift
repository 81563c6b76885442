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

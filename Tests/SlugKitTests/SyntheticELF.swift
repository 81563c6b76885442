import Foundation

/// Makes small ELF files byte by byte, in the classes and byte orders the machine's own
/// binaries do not cover (32-bit, big-endian), and with segments where a test wants them.
struct SyntheticELF {
    var is64Bit = true
    var isLittleEndian = true
    /// `ET_DYN`: a shared object or a PIE program.
    var type: UInt16 = 3
    var interpreter: String?
    var rpath: String?
    var runpath: String?
    /// Where the dynamic segment starts; nil puts it right after the string table.
    var dynamicOffset: Int?
    /// Where the string table starts; nil puts it right after the program headers and interpreter.
    var stringTableOffset: Int?

    static let baseAddress: UInt64 = 0x40_0000

    func bytes() -> [UInt8] {
        let headerSize = is64Bit ? 64 : 52
        let programHeaderSize = is64Bit ? 56 : 32
        let programHeaderCount = 3
        var file = [UInt8](repeating: 0, count: headerSize + programHeaderSize * programHeaderCount)
        let interpreterOffset = file.count
        let interpreterBytes: [UInt8] = interpreter.map { Array($0.utf8) + [0] } ?? []
        file += interpreterBytes
        var strings: [UInt8] = [0]
        let rpathIndex = strings.count
        strings += rpath.map { Array($0.utf8) + [UInt8(0)] } ?? [UInt8]()
        let runpathIndex = strings.count
        strings += runpath.map { Array($0.utf8) + [UInt8(0)] } ?? [UInt8]()
        let stringsAt = stringTableOffset ?? file.count
        place(strings, at: stringsAt, in: &file)
        var dynamic: [UInt8] = []
        func entry(_ tag: UInt64, _ value: UInt64) {
            dynamic += is64Bit ? encode(tag, size: 8) + encode(value, size: 8) : encode(tag, size: 4) + encode(value, size: 4)
        }
        entry(5, Self.baseAddress + UInt64(stringsAt))
        entry(10, UInt64(strings.count))
        if rpath != nil { entry(15, UInt64(rpathIndex)) }
        if runpath != nil { entry(29, UInt64(runpathIndex)) }
        entry(0, 0)
        let dynamicAt = dynamicOffset ?? ((max(file.count, stringsAt + strings.count) + 7) / 8 * 8)
        place(dynamic, at: dynamicAt, in: &file)

        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, is64Bit ? 2 : 1, isLittleEndian ? 1 : 2, 1]
        header += [UInt8](repeating: 0, count: 16 - header.count)
        header += encode(UInt64(type), size: 2) + encode(is64Bit ? 62 : 3, size: 2) + encode(1, size: 4)
        if is64Bit {
            header += encode(0, size: 8) + encode(UInt64(headerSize), size: 8) + encode(0, size: 8)
            header += encode(0, size: 4) + encode(UInt64(headerSize), size: 2) + encode(UInt64(programHeaderSize), size: 2)
        } else {
            header += encode(0, size: 4) + encode(UInt64(headerSize), size: 4) + encode(0, size: 4)
            header += encode(0, size: 4) + encode(UInt64(headerSize), size: 2) + encode(UInt64(programHeaderSize), size: 2)
        }
        header += encode(UInt64(programHeaderCount), size: 2) + encode(0, size: 6)
        place(header, at: 0, in: &file)

        let segments: [(type: UInt64, offset: Int, size: Int)] = [
            (1, 0, file.count),
            (interpreter == nil ? 0 : 3, interpreterOffset, interpreterBytes.count),
            (2, dynamicAt, dynamic.count),
        ]
        for (index, segment) in segments.enumerated() {
            let address = Self.baseAddress + UInt64(segment.offset)
            let fields: [UInt8] = is64Bit
                ? encode(segment.type, size: 4) + encode(4, size: 4) + encode(UInt64(segment.offset), size: 8) + encode(address, size: 8)
                    + encode(address, size: 8) + encode(UInt64(segment.size), size: 8) + encode(UInt64(segment.size), size: 8) + encode(8, size: 8)
                : encode(segment.type, size: 4) + encode(UInt64(segment.offset), size: 4) + encode(address, size: 4) + encode(address, size: 4)
                    + encode(UInt64(segment.size), size: 4) + encode(UInt64(segment.size), size: 4) + encode(4, size: 4) + encode(8, size: 4)
            place(fields, at: headerSize + index * programHeaderSize, in: &file)
        }
        return file
    }

    private func encode(_ value: UInt64, size: Int) -> [UInt8] {
        let littleEndian = (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        return isLittleEndian ? littleEndian : littleEndian.reversed()
    }

    private func place(_ bytes: [UInt8], at offset: Int, in file: inout [UInt8]) {
        if file.count < offset + bytes.count { file += [UInt8](repeating: 0, count: offset + bytes.count - file.count) }
        file.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }
}

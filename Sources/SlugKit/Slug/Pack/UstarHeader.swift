/// The 512-byte ustar header of an entry that needs no pax extended header, byte for byte as
/// libarchive's restricted pax writer formats it, so `TarWriter` can write most headers itself.
///
/// Going through libarchive costs the walk an `archive_entry` cleared and filled, the path
/// converted to the locale's charset and back, the entry cloned, and a pax attribute buffer
/// reset, for each of the tens of thousands of entries of an app: formatting the headers here
/// took a no-change pack of the 515 MB benchmark corpus from 0.50 s to 0.38 s (the corpus has
/// 82,465 entries). Only the common case is formatted here;
/// whatever would make libarchive add a pax header (a non-ASCII or long name or link target, a
/// file of 8 GiB or more, an mtime past 2038) is left to libarchive, so the stream is the same
/// bytes either way (`TarHeaderTests` compares them).
enum UstarHeader {
    static let size = 512

    enum Kind: UInt8 {
        case file = 0x30        // '0'
        case hardLink = 0x31    // '1'
        case symlink = 0x32     // '2'
        case directory = 0x35   // '5'
    }

    // Field offsets and lengths of the ustar format (POSIX.1-1988).
    private static let nameOffset = 0, nameLength = 100
    private static let modeOffset = 100, uidOffset = 108, gidOffset = 116
    private static let sizeOffset = 124, mtimeOffset = 136
    private static let checksumOffset = 148
    private static let typeOffset = 156
    private static let linkOffset = 157, linkLength = 100
    private static let magicOffset = 257
    private static let deviceMajorOffset = 329, deviceMinorOffset = 337
    private static let prefixOffset = 345, prefixLength = 155

    /// libarchive's restricted pax writer adds a pax header from these on.
    private static let sizeLimit: Int64 = 1 << 33
    private static let mtimeLimit: Int64 = 0x7fff_ffff

    /// Formats the header into `header` (`size` bytes) and returns true, or returns false (and
    /// leaves `header` in any state) when libarchive would add a pax extended header for the
    /// entry. uid and gid are 0 and there are no user or group names, as every slug entry has.
    static func format(into header: UnsafeMutableRawBufferPointer, path: String, kind: Kind, mode: UInt32,
                       size fileSize: Int64, mtime: Int64, link: String? = nil) -> Bool {
        guard mtime >= 0, mtime < mtimeLimit, fileSize >= 0, fileSize < sizeLimit else { return false }
        template.withUnsafeBytes { header.copyMemory(from: $0) }
        var path = path
        let placed = path.withUTF8 { bytes in placeName(UnsafeRawBufferPointer(bytes), into: header) }
        guard placed else { return false }
        if var link {
            let copied = link.withUTF8 { bytes -> Bool in
                // An empty target is left to libarchive, which stores it differently.
                guard !bytes.isEmpty, bytes.count <= linkLength, isPlainASCII(UnsafeRawBufferPointer(bytes)) else { return false }
                UnsafeMutableRawBufferPointer(rebasing: header[linkOffset..<linkOffset + bytes.count])
                    .copyMemory(from: UnsafeRawBufferPointer(bytes))
                return true
            }
            guard copied else { return false }
        }
        writeOctal(Int64(mode & 0o7777), digits: 6, at: modeOffset, in: header)
        writeOctal(fileSize, digits: 11, at: sizeOffset, in: header)
        writeOctal(mtime, digits: 11, at: mtimeOffset, in: header)
        header[typeOffset] = kind.rawValue
        var checksum = 0
        for byte in UnsafeRawBufferPointer(header) { checksum += Int(byte) }
        // Summed with the field as spaces; then six digits, a NUL and one of those spaces, as libarchive writes it.
        writeOctal(Int64(checksum), digits: 6, at: checksumOffset, in: header)
        header[checksumOffset + 6] = 0
        return true
    }

    /// What every header starts from: the numeric fields' terminators, uid, gid and device
    /// numbers 0, the checksum field as spaces (as it is summed), the magic.
    private static let template: [UInt8] = {
        var header = [UInt8](repeating: 0, count: size)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        put("000000 \u{0}", at: modeOffset)
        put("000000 \u{0}", at: uidOffset)
        put("000000 \u{0}", at: gidOffset)
        put("00000000000 ", at: sizeOffset)
        put("00000000000 ", at: mtimeOffset)
        put("        ", at: checksumOffset)
        put("ustar\u{0}00", at: magicOffset)
        put("000000 \u{0}", at: deviceMajorOffset)
        put("000000 \u{0}", at: deviceMinorOffset)
        return header
    }()

    /// The path in the name field, or split at a "/" into prefix and name as libarchive splits a
    /// longer one: at the first "/" that leaves at most 100 bytes after it, never at the very
    /// start, never leaving the name empty, with at most 155 bytes before it.
    private static func placeName(_ path: UnsafeRawBufferPointer, into header: UnsafeMutableRawBufferPointer) -> Bool {
        guard !path.isEmpty, isPlainASCII(path) else { return false }
        let length = path.count
        if length <= nameLength {
            UnsafeMutableRawBufferPointer(rebasing: header[nameOffset..<nameOffset + length]).copyMemory(from: path)
            return true
        }
        let slash = UInt8(ascii: "/")
        var split = length - nameLength - 1
        while split < length && path[split] != slash { split += 1 }
        if split == 0 {
            split = 1
            while split < length && path[split] != slash { split += 1 }
        }
        guard split < length - 1, split <= prefixLength else { return false }
        UnsafeMutableRawBufferPointer(rebasing: header[prefixOffset..<prefixOffset + split])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: path[0..<split]))
        UnsafeMutableRawBufferPointer(rebasing: header[nameOffset..<nameOffset + length - split - 1])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: path[(split + 1)...]))
        return true
    }

    /// ASCII without NUL: what libarchive stores in the header as it is.
    private static func isPlainASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte == 0 || byte >= 0x80 { return false }
        return true
    }

    /// `value` as `digits` octal digits (it fits: the callers checked the limits); the
    /// template holds the terminators after them.
    private static func writeOctal(_ value: Int64, digits: Int, at offset: Int, in header: UnsafeMutableRawBufferPointer) {
        var rest = value
        for index in stride(from: offset + digits - 1, through: offset, by: -1) {
            header[index] = UInt8(ascii: "0") + UInt8(rest & 7)
            rest >>= 3
        }
    }
}

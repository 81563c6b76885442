/// The 512-byte ustar header of an entry that needs no pax extended header, byte for byte as
/// libarchive's restricted pax writer formats it, so `TarWriter` can write most headers itself.
///
/// Going through libarchive costs the walk an `archive_entry` cleared and filled, the path
/// converted to the locale's charset and back, the entry cloned, and a pax attribute buffer
/// reset, for each of the tens of thousands of entries of an app: about a sixth of the walk's
/// time on a pack whose files are all in the file index. Only the common case is formatted here;
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
        header.initializeMemory(as: UInt8.self, repeating: 0)
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
        writeOctal(Int64(mode & 0o7777), digits: 6, terminated: true, at: modeOffset, in: header)
        writeOctal(0, digits: 6, terminated: true, at: uidOffset, in: header)
        writeOctal(0, digits: 6, terminated: true, at: gidOffset, in: header)
        writeOctal(fileSize, digits: 11, terminated: false, at: sizeOffset, in: header)
        writeOctal(mtime, digits: 11, terminated: false, at: mtimeOffset, in: header)
        for offset in checksumOffset..<checksumOffset + 8 { header[offset] = 0x20 }
        header[typeOffset] = kind.rawValue
        for (index, byte) in "ustar\u{0}00".utf8.enumerated() { header[magicOffset + index] = byte }
        writeOctal(0, digits: 6, terminated: true, at: deviceMajorOffset, in: header)
        writeOctal(0, digits: 6, terminated: true, at: deviceMinorOffset, in: header)
        var checksum: Int64 = 0
        for byte in header { checksum += Int64(byte) }
        // Six digits, then NUL and the space already there, as libarchive writes it.
        writeOctal(checksum, digits: 6, terminated: false, at: checksumOffset, in: header)
        header[checksumOffset + 6] = 0
        return true
    }

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

    /// `value` as `digits` octal digits (it fits: the callers checked the limits), then a space
    /// and a NUL when `terminated` (a 6-digit field of 8 bytes), else a space (11 digits of 12).
    private static func writeOctal(_ value: Int64, digits: Int, terminated: Bool, at offset: Int,
                                   in header: UnsafeMutableRawBufferPointer) {
        var rest = value
        for index in stride(from: offset + digits - 1, through: offset, by: -1) {
            header[index] = UInt8(ascii: "0") + UInt8(rest & 7)
            rest >>= 3
        }
        header[offset + digits] = 0x20
        if terminated { header[offset + digits + 1] = 0 }
    }
}

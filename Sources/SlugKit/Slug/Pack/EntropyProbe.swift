import Foundation

/// Tells blocks of already-compressed data (wheels, images, archives, fonts) from the rest,
/// cheaply, so they can be stored instead of searched for matches: libdeflate spends about
/// 10 ms per MiB on such a block and then stores it anyway, at every level. Measured on the pack
/// benchmark's 359 MiB tar stream (Benchmarks/make-corpus.sh): it picks 18 blocks, about 5% of
/// libdeflate's time at level 6, on which libdeflate would have saved 2,512 bytes in all.
enum EntropyProbe {
    /// Bits per byte at or above which a block counts as incompressible. Sampled this way,
    /// random and compressed bytes measure 7.989 to 7.998 on the benchmark; text and code 4 to 6;
    /// one block of mixed binaries measured 7.94 yet compressed to 76%, hence the narrow margin.
    static let incompressibleBitsPerByte = 7.97

    /// A first look at 4 of the samples below this settles most blocks (text and code): on 16 KiB,
    /// random bytes measure 7.985 or more and a gzip file 7.94, so a block under 7.9 is not worth
    /// the other 12 samples. It cut the probe's share of a pack's CPU time from 0.34% to 0.14%.
    static let clearlyCompressibleBitsPerByte = 7.9

    private static let sampleLength = 4096, sampleCount = 16, firstLook = 4
    /// Samples in the order 0, 4, 8, 12, 1, 5, …: the first look spans the whole block.
    private static let sampleOrder = (0..<firstLook).flatMap { start in stride(from: start, to: sampleCount, by: firstLook) }

    /// True when 16 spread-out 4 KiB samples (64 KiB of each MiB) together look random.
    ///
    /// Only byte frequencies are measured, so random data repeated at a short distance would be
    /// stored rather than compressed: the slug stays correct, only bigger. Tar streams of apps
    /// do not hold such data; a mixed block (text around an image) measures well under the mark.
    static func looksIncompressible(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= sampleLength * sampleCount else { return false }
        var counts = [Int](repeating: 0, count: 256)
        let stride = bytes.count / sampleCount
        for (taken, sample) in sampleOrder.enumerated() {
            counts.withUnsafeMutableBufferPointer { counts in
                for byte in bytes[(sample * stride)..<(sample * stride + sampleLength)] {
                    counts[Int(byte)] += 1
                }
            }
            if taken + 1 == firstLook && bitsPerByte(counts) < clearlyCompressibleBitsPerByte { return false }
        }
        return bitsPerByte(counts) >= incompressibleBitsPerByte
    }

    /// Shannon entropy of the byte counts.
    private static func bitsPerByte(_ counts: [Int]) -> Double {
        let total = Double(counts.reduce(0, +))
        var bits = 0.0
        for count in counts where count > 0 {
            let share = Double(count) / total
            bits -= share * log2(share)
        }
        return bits
    }
}

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

    /// True when 16 spread-out 4 KiB samples (64 KiB of each MiB) together look random.
    ///
    /// Only byte frequencies are measured, so random data repeated at a short distance would be
    /// stored rather than compressed: the slug stays correct, only bigger. Tar streams of apps
    /// do not hold such data; a mixed block (text around an image) measures well under the mark.
    static func looksIncompressible(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let sampleLength = 4096, sampleCount = 16
        guard bytes.count >= sampleLength * sampleCount else { return false }
        var counts = [Int](repeating: 0, count: 256)
        let stride = bytes.count / sampleCount
        counts.withUnsafeMutableBufferPointer { counts in
            for sample in 0..<sampleCount {
                for byte in bytes[(sample * stride)..<(sample * stride + sampleLength)] {
                    counts[Int(byte)] += 1
                }
            }
        }
        let total = Double(sampleLength * sampleCount)
        var bits = 0.0
        for count in counts where count > 0 {
            let share = Double(count) / total
            bits -= share * log2(share)
        }
        return bits >= incompressibleBitsPerByte
    }
}

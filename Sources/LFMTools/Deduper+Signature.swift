/// The near-duplicate signatures of `lfm dedupe`: `Deduper.hashes` 32-bit values per text whose
/// fraction of equal positions between two texts estimates the Jaccard similarity of their
/// character shingle sets (5-grams of the normalized text).
///
/// - ``Estimator/onePermutation`` (the default): one 64-bit hash per shingle; its top 6 bits
///   pick one of 64 bins, the bin keeps the minimum of the low 32 bits (one-permutation
///   hashing, Li, Owen & Zhang 2012). A bin no shingle fell into (short texts) takes the value
///   of the first non-empty bin along a fixed pseudo-random probe sequence of its own (optimal
///   densification, Shrivastava 2017): two texts with the same shingles in the same bins fill
///   their empty bins alike, so the estimate stays unbiased for short texts.
/// - ``Estimator/minHash``: 64 hash functions per shingle (the estimator before issue 15),
///   kept as the reference that `lfm-bench nearstudy` measures the default against.
extension Deduper {
    public enum Estimator: String, Sendable, CaseIterable {
        case onePermutation = "oph"
        case minHash = "minhash"
    }

    /// The signature of a normalized text's character shingles.
    public func signature(_ normalized: String) -> [UInt32] {
        let scalars = normalized.unicodeScalars.map(\.value)
        var sig = [UInt32](repeating: .max, count: Self.hashes)
        scalars.withUnsafeBufferPointer { s in
            sig.withUnsafeMutableBufferPointer { signature(ofScalars: s, into: $0) }
        }
        return sig
    }

    /// ``signature(_:)`` of a normalized text's scalars, into `slots` (`hashes` values).
    func signature(ofScalars scalars: UnsafeBufferPointer<UInt32>, into slots: UnsafeMutableBufferPointer<UInt32>) {
        switch options.estimator {
        case .onePermutation: onePermutationSignature(scalars, into: slots)
        case .minHash: minHashSignature(scalars, into: slots)
        }
    }

    /// The number of shingles of a text of `count` scalars (one for a shorter, non-empty text).
    @inline(__always)
    func shingleCount(_ count: Int) -> Int {
        count < options.shingle ? (count == 0 ? 0 : 1) : count - options.shingle + 1
    }

    func onePermutationSignature(_ scalars: UnsafeBufferPointer<UInt32>, into slots: UnsafeMutableBufferPointer<UInt32>) {
        precondition(Self.hashes == 64 && slots.count == 64)
        for i in 0..<64 { slots[i] = .max }
        let count = shingleCount(scalars.count)
        guard count > 0, let base = scalars.baseAddress else { return }
        let width = Swift.min(options.shingle, scalars.count)
        var filled: UInt64 = 0
        let samples = options.shingleHashes
        for start in 0..<count {
            var h = width == 5 ? Self.shingleHash5(base + start) : Self.shingleHash(base + start, width)
            // Further samples of the shingle: h + i·step (as the MinHash's 64 functions).
            let step = ((h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9) | 1
            for _ in 0..<samples {
                let bin = Int(truncatingIfNeeded: h >> 58)
                // perf: branch-free (a compare per sample mispredicted often).
                slots[bin] = Swift.min(slots[bin], UInt32(truncatingIfNeeded: h))
                filled |= 1 << UInt64(bin)
                h &+= step
            }
        }
        if filled != .max { Self.densify(slots, filled: filled) }
    }

    /// Bin `bin`'s probe number `attempt` (1, 2, ...) in densification: a bin in 0..<64.
    @inline(__always)
    static func probe(_ bin: Int, _ attempt: Int) -> Int {
        Int(truncatingIfNeeded: SplitMix64.mix(UInt64(bin) << 32 | UInt64(attempt)) >> 58)
    }

    /// The first 64 probes of each bin (``probe(_:_:)``), `bin * 64 + attempt - 1`.
    static let probes: [UInt8] = (0..<64 * 64).map { UInt8(probe($0 / 64, $0 % 64 + 1)) }

    /// Fills each empty bin from the first filled one along the bin's own probe sequence.
    static func densify(_ slots: UnsafeMutableBufferPointer<UInt32>, filled: UInt64) {
        probes.withUnsafeBufferPointer { table in
            for bin in 0..<64 where filled & (1 << UInt64(bin)) == 0 {
                var attempt = 1
                while true {
                    let next = attempt <= 64 ? Int(table[bin * 64 + attempt - 1]) : probe(bin, attempt)
                    if filled & (1 << UInt64(next)) != 0 {
                        slots[bin] = slots[next]
                        break
                    }
                    attempt += 1
                    if attempt > 4096 {
                        // Not reached in practice (a filled bin is hit within ~64 probes on
                        // average); a deterministic end: the next filled bin.
                        var other = (bin + 1) & 63
                        while filled & (1 << UInt64(other)) == 0 { other = (other + 1) & 63 }
                        slots[bin] = slots[other]
                        break
                    }
                }
            }
        }
    }

    /// A 64-bit hash of the `count` scalars at `p` (each < 2^21): three scalars a 64-bit word,
    /// words folded by multiplies, then SplitMix64's finalizer. The length is in the seed.
    @inline(__always)
    static func shingleHash(_ p: UnsafePointer<UInt32>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: count)
        var i = 0
        while i < count {
            var word = UInt64(p[i])
            if i + 1 < count { word |= UInt64(p[i + 1]) << 21 }
            if i + 2 < count { word |= UInt64(p[i + 2]) << 42 }
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 3
        }
        return SplitMix64.mix(h)
    }

    /// ``shingleHash(_:_:)`` of 5 scalars (the same value), unrolled.
    @inline(__always)
    static func shingleHash5(_ p: UnsafePointer<UInt32>) -> UInt64 {
        let first = UInt64(p[0]) | UInt64(p[1]) << 21 | UInt64(p[2]) << 42
        let second = UInt64(p[3]) | UInt64(p[4]) << 21
        var h = ((0x9E37_79B9_7F4A_7C15 &+ 5) ^ first) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        h = (h ^ second) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        return SplitMix64.mix(h)
    }

    /// The reference estimator: 64 MinHash values per shingle (unchanged hash values).
    func minHashSignature(_ scalars: UnsafeBufferPointer<UInt32>, into slots: UnsafeMutableBufferPointer<UInt32>) {
        for i in 0..<Self.hashes { slots[i] = .max }
        let k = options.shingle
        for start in 0..<shingleCount(scalars.count) {
            var h = StableHasher()
            for i in start..<Swift.min(scalars.count, start + k) { h.combine(UInt64(scalars[i])) }
            // 64 hash functions from two (h1 + i·h2, Kirsch–Mitzenmacher): one multiply-add each.
            let h1 = h.value
            let h2 = SplitMix64.mix(h1 ^ 0x5EED_5EED) | 1
            var v = h1
            for i in 0..<Self.hashes {
                slots[i] = Swift.min(slots[i], UInt32(truncatingIfNeeded: v >> 32))
                v &+= h2
            }
        }
    }

    public static func similarity(_ a: [UInt32], _ b: some RandomAccessCollection<UInt32>) -> Double {
        var same = 0
        for (x, y) in zip(a, b) where x == y { same += 1 }
        return Double(same) / Double(a.count)
    }
}

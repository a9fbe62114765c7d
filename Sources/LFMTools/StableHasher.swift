/// FNV-1a 64 with a final mix: the same value on every run and machine (unlike `Hasher`),
/// for reproducible splits and sketches.
public struct StableHasher: Sendable {
    public private(set) var state: UInt64 = 0xCBF2_9CE4_8422_2325
    public init(seed: UInt64 = 0) { if seed != 0 { combine(seed) } }

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            state ^= UInt64(byte)
            state &*= 0x0000_0100_0000_01B3
        }
    }
    public mutating func combine(_ text: String) {
        var copy = text
        copy.withUTF8 { bytes in
            var s = state
            for byte in bytes {
                s ^= UInt64(byte)
                s &*= 0x0000_0100_0000_01B3
            }
            state = s
        }
        combine(CollectionOfOne(UInt8(0xFF)))
    }
    /// The 8 little-endian bytes of `value`. perf: a zero byte only multiplies by the prime, so
    /// the second byte's multiply and those of the six high bytes of a small value (a Unicode
    /// scalar) are one multiply by prime⁷ (same result).
    public mutating func combine(_ value: UInt64) {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var s = state
        s ^= value & 0xFF
        s &*= prime
        s ^= (value >> 8) & 0xFF
        if value >> 16 == 0 {
            s &*= Self.primeToTheSeventh
        } else {
            s &*= prime
            var v = value >> 16
            for _ in 0..<6 {
                s ^= v & 0xFF
                s &*= prime
                v >>= 8
            }
        }
        state = s
    }

    /// The FNV prime to the 7th power, mod 2^64 (tested against the product).
    static var primeToTheSeventh: UInt64 { 0xC552_7B8A_51D3_D2DB }
    public var value: UInt64 { SplitMix64.mix(state) }
}

/// A small seeded generator (SplitMix64), identical on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform integer in 0..<bound, reproducible across platforms (Swift's own
    /// `random(in:using:)` algorithm is not a documented contract).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next() % UInt64(bound))
    }
}

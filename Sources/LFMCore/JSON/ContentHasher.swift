/// The one fast 64-bit content hash of lfm (wyhash's multiply-fold: 16 bytes per multiply,
/// ~10 GB/s), for in-memory duplicate tables: the duplicate index of `validate`
/// (``RecordHasher``), `lfm stats`' duplicate count and `lfm dedupe`'s exact and normalized keys.
///
/// Each piece is fed as a tag, its length and its bytes, an unambiguous encoding: two sequences
/// of pieces hash alike only if they are equal (or by a 64-bit collision). Not keyed and not
/// promised stable across versions: never store it (``StableHasher`` is for reproducible values).
public struct ContentHasher: Sendable {
    @usableFromInline var state: UInt64 = 0x243F_6A88_85A3_08D3

    @inlinable static var p0: UInt64 { 0xA076_1D64_78BD_642F }
    @inlinable static var p1: UInt64 { 0xE703_7ED1_A0B4_28DB }
    @inlinable static var p2: UInt64 { 0x8EBC_6AF0_9C88_C6E3 }

    @inlinable public init() {}

    @inlinable @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// Mixes two words (a tag and a value, or 16 bytes of a piece).
    @inlinable @inline(__always)
    public mutating func mix(_ a: UInt64, _ b: UInt64) {
        state = Self.mum(a ^ state ^ Self.p0, b ^ Self.p1)
    }

    /// A piece of bytes: `tag`, its length, then its bytes 16 at a time.
    @inlinable
    public mutating func combine(tag: UInt64, bytes p: UnsafeRawBufferPointer) {
        let n = p.count
        mix(tag, UInt64(n))
        guard let base = p.baseAddress else { return }
        var i = 0
        while i + 16 <= n {
            mix(base.loadUnaligned(fromByteOffset: i, as: UInt64.self), base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            i += 16
        }
        if i < n {
            var tail: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: base + i, byteCount: n - i) }
            mix(tail.0, tail.1)
        }
    }

    /// A text's UTF-8 bytes as one piece.
    @inlinable
    public mutating func combine(tag: UInt64, _ text: String) {
        var text = text
        text.withUTF8 { combine(tag: tag, bytes: UnsafeRawBufferPointer($0)) }
    }

    @inlinable public var value: UInt64 { Self.mum(state ^ Self.p2, Self.p1) }
}

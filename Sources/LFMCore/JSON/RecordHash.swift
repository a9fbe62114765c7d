/// A fast 64-bit content hash of a ``JSONValue`` for duplicate detection.
///
/// Two values get the same input to the hash exactly when ``JSONPrinter`` would print them the
/// same (same key order, same string bytes, same number text): every value is fed as a type tag,
/// a length and its UTF-8 bytes, which is an unambiguous encoding. So "duplicate" keeps meaning
/// "prints identically", as when records were printed and hashed, without printing them.
/// Whitespace and escapes in the file do not matter (`"\u00e9"` and `"é"` are the same string).
///
/// The mixing is wyhash's multiply-fold over 16-byte blocks (~10 GB/s); it is not keyed, which
/// is fine for a local check: a false duplicate needs a 64-bit collision (about 1 in 10^7 for a
/// file of 10^6 distinct records).
struct RecordHasher {
    private var state: UInt64 = 0x243F_6A88_85A3_08D3

    private static let p0: UInt64 = 0xA076_1D64_78BD_642F
    private static let p1: UInt64 = 0xE703_7ED1_A0B4_28DB
    private static let p2: UInt64 = 0x8EBC_6AF0_9C88_C6E3

    @inline(__always)
    private static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    @inline(__always)
    private mutating func mix(_ a: UInt64, _ b: UInt64) {
        state = Self.mum(a ^ state ^ Self.p0, b ^ Self.p1)
    }

    private mutating func bytes(_ tag: UInt64, _ p: UnsafeRawBufferPointer) {
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

    private mutating func string(_ tag: UInt64, _ s: String) {
        var s = s
        s.withUTF8 { bytes(tag, UnsafeRawBufferPointer($0)) }
    }

    mutating func combine(_ value: JSONValue) {
        switch value {
        case .null: mix(1, 0)
        case .bool(let b): mix(2, b ? 1 : 0)
        case .number(let n): string(3, n)
        case .string(let s): string(4, s)
        case .array(let elements):
            mix(5, UInt64(elements.count))
            for element in elements { combine(element) }
        case .object(let object):
            mix(6, UInt64(object.members.count))
            for member in object.members {
                string(7, member.key)
                combine(member.value)
            }
        }
    }

    func finalize() -> UInt64 { Self.mum(state ^ Self.p2, Self.p1) }

    static func hash(_ value: JSONValue) -> UInt64 {
        var hasher = RecordHasher()
        hasher.combine(value)
        return hasher.finalize()
    }
}

/// Hash → first record index, in 12 bytes a slot (open addressing, linear probing, load ≤ 3/4):
/// about 24 MB for a million records, where `[Int: Int32]` took more and grew in bigger steps.
struct DuplicateTable {
    private var keys: [UInt64]
    private var values: [UInt32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        keys = [UInt64](repeating: 0, count: capacity)
        values = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// The record stored under `hash`, or stores `index` and returns nil.
    mutating func firstIndex(of hash: UInt64, orInsert index: Int) -> Int? {
        let key = hash == 0 ? 1 : hash
        var slot = Int(truncatingIfNeeded: key >> 7) & mask
        while true {
            let k = keys[slot]
            if k == key { return Int(values[slot]) }
            if k == 0 { break }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = UInt32(truncatingIfNeeded: index)
        count += 1
        if count * 4 > keys.count * 3 { grow() }
        return nil
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = []
        values = []
        let capacity = oldKeys.count * 2
        keys = [UInt64](repeating: 0, count: capacity)
        values = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
        for i in 0..<oldKeys.count where oldKeys[i] != 0 {
            var slot = Int(truncatingIfNeeded: oldKeys[i] >> 7) & mask
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[i]
            values[slot] = oldValues[i]
        }
    }
}

import Foundation

/// A fast 64-bit content hash of a ``JSONValue`` for duplicate detection.
///
/// Two values get the same input to the hash exactly when ``JSONPrinter`` would print them the
/// same (same key order, same string bytes, same number text): every value is fed as a type tag,
/// a length and its UTF-8 bytes, which is an unambiguous encoding. So "duplicate" keeps meaning
/// "prints identically", as when records were printed and hashed, without printing them.
/// Whitespace and escapes in the file do not matter (`"\u00e9"` and `"é"` are the same string).
///
/// The mixing is ``ContentHasher``'s (wyhash's multiply-fold, ~10 GB/s); it is not keyed, which
/// is fine for a local check: a false duplicate needs a 64-bit collision (about 1 in 10^7 for a
/// file of 10^6 distinct records).
struct RecordHasher {
    private var content = ContentHasher()

    @inline(__always)
    private mutating func mix(_ a: UInt64, _ b: UInt64) { content.mix(a, b) }

    private mutating func string(_ tag: UInt64, _ s: String) { content.combine(tag: tag, s) }

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

    func finalize() -> UInt64 { content.value }

    static func hash(_ value: JSONValue) -> UInt64 {
        var hasher = RecordHasher()
        hasher.combine(value)
        return hasher.finalize()
    }
}

/// The duplicate index of a file: the 64-bit hash of every record, in record order (8 bytes a
/// record, grown with `realloc`, which moves large blocks without copying), and an open-addressing
/// table of record numbers (4 bytes a slot + a 1-byte hash tag, linear probing, load ≤ 3/4).
/// About 22 MB at the peak for a million records, where `[Int: Int32]` took several times that.
final class DuplicateTable {
    private var hashes: UnsafeMutablePointer<UInt64>
    private var hashCapacity: Int
    /// Records seen so far: the next record's number.
    private(set) var count = 0
    /// Record number + 1 in each slot, 0 for an empty slot.
    private var slots: UnsafeMutablePointer<UInt32>
    /// perf: one byte of each slot's hash (never 0; 0 = empty slot), so that probing past other
    /// records reads this small array (1 byte a slot, mostly in cache) instead of their hashes in
    /// the large one (a cache miss each). Equality is still decided on the full 64-bit hash.
    private var tags: UnsafeMutablePointer<UInt8>
    private var mask: Int
    private var stored = 0

    init(capacity: Int = 1 << 12) {
        hashCapacity = capacity
        hashes = UnsafeMutablePointer<UInt64>(OpaquePointer(malloc(capacity * 8)!))  // grown with realloc
        slots = UnsafeMutablePointer<UInt32>(OpaquePointer(calloc(capacity, 4)!))
        tags = UnsafeMutablePointer<UInt8>(OpaquePointer(calloc(capacity, 1)!))
        mask = capacity - 1
    }

    deinit {
        free(hashes)
        free(slots)
        free(tags)
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt8 {
        let t = UInt8(truncatingIfNeeded: hash)
        return t == 0 ? 1 : t
    }

    /// Records are numbered in call order from 0. Returns the number of the first earlier record
    /// with the same hash, or nil (and remembers this one).
    func firstRecord(withHash hash: UInt64) -> Int? {
        let number = count
        if number == hashCapacity {
            hashCapacity *= 2
            hashes = UnsafeMutablePointer<UInt64>(OpaquePointer(realloc(hashes, hashCapacity * 8)!))
        }
        hashes[number] = hash
        count += 1
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash >> 40) & mask
        while true {
            let t = tags[slot]
            if t == 0 { break }
            if t == tag {
                let s = slots[slot]
                if hashes[Int(s) - 1] == hash { return Int(s) - 1 }
            }
            slot = (slot + 1) & mask
        }
        guard number < Int(UInt32.max) else { return nil }
        slots[slot] = UInt32(number + 1)
        tags[slot] = tag
        stored += 1
        if stored * 4 > (mask + 1) * 3 { grow() }
        return nil
    }

    /// The first record with this hash, without remembering anything (for a later part of the
    /// file, checked against this table after the fact).
    func firstRecord(lookingUp hash: UInt64) -> Int? {
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash >> 40) & mask
        while true {
            let t = tags[slot]
            if t == 0 { return nil }
            if t == tag {
                let s = slots[slot]
                if hashes[Int(s) - 1] == hash { return Int(s) - 1 }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The hash of record `number` (< `count`).
    func hash(ofRecord number: Int) -> UInt64 { hashes[number] }

    /// Each distinct hash with its first record, in no order.
    func forEachFirst(_ body: (_ hash: UInt64, _ record: Int) -> Void) {
        for slot in 0...mask where tags[slot] != 0 {
            let record = Int(slots[slot]) - 1
            body(hashes[record], record)
        }
    }

    /// The bytes a table of `records` records holds at most (its hash column and slot table,
    /// as they grow), for budgets.
    static func bytes(forRecords records: Int) -> Int {
        var hashCapacity = 1 << 12, slotCapacity = 1 << 12
        while hashCapacity < records { hashCapacity *= 2 }
        while records * 4 > slotCapacity * 3 { slotCapacity *= 2 }
        return hashCapacity * 8 + slotCapacity * 5
    }

    private func grow() {
        let oldSlots = slots, oldTags = tags, oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = UnsafeMutablePointer<UInt32>(OpaquePointer(calloc(capacity, 4)!))
        tags = UnsafeMutablePointer<UInt8>(OpaquePointer(calloc(capacity, 1)!))
        mask = capacity - 1
        for i in 0..<oldCapacity where oldTags[i] != 0 {
            var slot = Int(truncatingIfNeeded: hashes[Int(oldSlots[i]) - 1] >> 40) & mask
            while tags[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = oldSlots[i]
            tags[slot] = oldTags[i]
        }
        free(oldSlots)
        free(oldTags)
    }
}

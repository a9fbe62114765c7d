import LFMCore

/// One LSH band's buckets: the first kept record of each bucket, in an open-addressing table of
/// record numbers (4 bytes a slot and a 1-byte tag, linear probing, load ≤ 3/4). A bucket is
/// the band's rows themselves: a slot's rows are read back from the kept signatures, so the
/// table holds no keys. perf/memory: the 16 `[HashKey: Int32]` dictionaries it replaces took
/// ~50 MB at 100k kept records (12 bytes a bucket, doubled at 98,304).
struct BandTable {
    let band: Int
    /// Kept record number + 1 in each slot, 0 for an empty one.
    private var slots: [UInt32]
    /// One byte of each slot's hash (never 0).
    private var tags: [UInt8]
    private var mask: Int
    private var stored = 0

    init(band: Int, capacity: Int = 1 << 12) {
        self.band = band
        slots = [UInt32](repeating: 0, count: capacity)
        tags = [UInt8](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt8 {
        let t = UInt8(truncatingIfNeeded: hash >> 56)
        return t == 0 ? 1 : t
    }

    /// The rows of this band in the signature at `offset` of `all`.
    @inline(__always)
    private func rowsEqual(_ rows: UnsafeBufferPointer<UInt32>, _ all: borrowing GrowingColumn<UInt32>, _ record: Int) -> Bool {
        let stored = all.buffer((record * Deduper.hashes + band * Deduper.rows)..<(record * Deduper.hashes + (band + 1) * Deduper.rows))
        for r in 0..<Deduper.rows where stored[r] != rows[r] { return false }
        return true
    }

    /// The first kept record whose rows of this band are `rows` (`hash` their key), or nil.
    func first(hash: UInt64, rows: UnsafeBufferPointer<UInt32>, signatures: borrowing GrowingColumn<UInt32>) -> Int32? {
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let t = tags[slot]
            if t == 0 { return nil }
            if t == tag {
                let record = Int(slots[slot]) - 1
                if rowsEqual(rows, signatures, record) { return Int32(record) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Adds kept record `record` as the first of its bucket (which ``first`` found empty); its
    /// signature is in `signatures` already.
    mutating func insert(hash: UInt64, record: Int32, signatures: borrowing GrowingColumn<UInt32>) {
        place(hash: hash, value: UInt32(record) + 1)
        stored += 1
        if stored * 4 > (mask + 1) * 3 { grow(signatures) }
    }

    private mutating func place(hash: UInt64, value: UInt32) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while tags[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = value
        tags[slot] = Self.tag(hash)
    }

    private mutating func grow(_ signatures: borrowing GrowingColumn<UInt32>) {
        let old = slots
        let capacity = (mask + 1) * 2
        slots = [UInt32](repeating: 0, count: capacity)
        tags = [UInt8](repeating: 0, count: capacity)
        mask = capacity - 1
        for value in old where value != 0 {
            let record = Int(value) - 1
            let rows = signatures.buffer((record * Deduper.hashes + band * Deduper.rows)..<(record * Deduper.hashes + (band + 1) * Deduper.rows))
            place(hash: DedupeIndex.bandKey(band, rows: rows).value, value: value)
        }
    }
}

import LFMCore

/// One LSH band's buckets: the first kept record of each bucket, in an open-addressing table
/// (linear probing, load ≤ 3/4). A slot is one 64-bit word: the bucket hash's high 32 bits (which
/// also give the slot's position) and the record number + 1 below them, so a lookup reads one
/// word and a table grows without reading any signature. A bucket is the band's rows themselves:
/// a slot whose hash bits match is confirmed on the rows, read back from the kept signatures, so
/// the table holds no keys. perf/memory: the 16 `[HashKey: Int32]` dictionaries it replaces took
/// ~50 MB at 100k kept records (12 bytes a bucket, doubled at 98,304); record numbers and 1-byte
/// tags in two arrays (the previous version) cost two cache misses a lookup.
struct BandTable {
    let band: Int
    let rows: Int
    /// Hash bits << 32 | kept record number + 1 in each slot, 0 for an empty one.
    private var slots: [UInt64]
    private var mask: Int
    private var stored = 0

    init(band: Int, rows: Int, capacity: Int = 1 << 12) {
        self.band = band
        self.rows = rows
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// Whether this band's rows of the kept signature `record` are `rows`.
    @inline(__always)
    private func rowsEqual(_ values: UnsafeBufferPointer<UInt32>, _ all: borrowing GrowingColumn<UInt32>, _ record: Int) -> Bool {
        let start = record * Deduper.hashes + band * rows
        let stored = all.buffer(start..<(start + rows))
        for r in 0..<rows where stored[r] != values[r] { return false }
        return true
    }

    /// The first kept record whose rows of this band are `rows` (`hash` their key), or nil.
    @inline(__always)
    func first(hash: UInt64, rows: UnsafeBufferPointer<UInt32>, signatures: borrowing GrowingColumn<UInt32>) -> Int32? {
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: tag) & mask
        return slots.withUnsafeBufferPointer { table in
            while true {
                let value = table[slot]
                if value == 0 { return nil }
                if value >> 32 == tag {
                    let record = Int(truncatingIfNeeded: value & 0xFFFF_FFFF) - 1
                    if rowsEqual(rows, signatures, record) { return Int32(record) }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Adds kept record `record` as the first of its bucket (which ``first`` found empty).
    mutating func insert(hash: UInt64, record: Int32) {
        place((hash >> 32) << 32 | UInt64(UInt32(record) + 1))
        stored += 1
        if stored * 4 > (mask + 1) * 3 { grow() }
    }

    private mutating func place(_ value: UInt64) {
        var slot = Int(truncatingIfNeeded: value >> 32) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = value
    }

    private mutating func grow() {
        let old = slots
        let capacity = (mask + 1) * 2
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for value in old where value != 0 { place(value) }
    }
}

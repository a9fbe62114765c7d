import LFMCore

/// The duplicate tables of `lfm dedupe`, fed record by record in file order: exact text, then
/// normalized text (``Deduper/normalize(_:)``), then near duplicates (MinHash signatures with
/// LSH bands). The first occurrence is kept.
///
/// Exact and normalized texts are keyed by their ``ContentHasher`` value (a false duplicate
/// needs a 64-bit collision); near duplicates are decided on the signatures themselves.
final class DedupeIndex {
    let deduper: Deduper
    let examplesPerKind: Int
    private(set) var report = Deduper.Report()
    private var exact: [HashKey: Int32] = [:]
    private var normalized: [HashKey: Int32] = [:]
    /// The kept records' signatures, `Deduper.hashes` each (realloc-grown: no copy peak).
    private var signatures = GrowingColumn<UInt32>()
    private var keptIndex: [Int32] = []
    // perf/memory: per band, the first record of each bucket in a table of record numbers
    // (``BandTable``), and the rest (rare) in arrays: a `[UInt64: [Int32]]` per band held a heap
    // array per record and band, ~110 of the 225 MiB on 100 MB. Same buckets, same order.
    private var bandFirst: [BandTable]
    private var bandMore: [[HashKey: [Int32]]]
    /// Scratch: the current record's normalized scalars and signature.
    private var scalars: [UInt32] = []
    private var signature = [UInt32](repeating: 0, count: Deduper.hashes)
    private var bandKeys: [HashKey]
    private let bands: Int, rows: Int
    /// The fewest equal signature values of a near duplicate (the threshold in values).
    private let minimumEqual: Int

    init(deduper: Deduper, examplesPerKind: Int) {
        self.deduper = deduper
        self.examplesPerKind = examplesPerKind
        let (bands, rows) = (deduper.bands, deduper.rows)
        (self.bands, self.rows) = (bands, rows)
        bandFirst = (0..<bands).map { BandTable(band: $0, rows: rows) }
        bandMore = [[HashKey: [Int32]]](repeating: [:], count: bands)
        bandKeys = [HashKey](repeating: HashKey(0), count: bands)
        let threshold = deduper.options.threshold
        minimumEqual = (0...Deduper.hashes).first { Double($0) / Double(Deduper.hashes) >= threshold } ?? Deduper.hashes + 1
    }

    static func exactHash(_ text: String) -> UInt64 {
        var h = ContentHasher()
        h.combine(tag: 0x45, text)
        return h.value
    }

    static func normalizedHash(_ scalars: [UInt32]) -> UInt64 {
        var h = ContentHasher()
        scalars.withUnsafeBytes { h.combine(tag: 0x4E, bytes: $0) }
        return h.value
    }

    /// The next record (number `index`), by its key text.
    func add(_ index: Int, text: String) {
        report.records += 1
        if isDuplicate(index, exactHash: Self.exactHash(text)) { return }
        Deduper.normalizedScalars(text, into: &scalars)
        if isDuplicate(index, normalizedHash: Self.normalizedHash(scalars)) { return }
        guard deduper.options.near else { return }
        scalars.withUnsafeBufferPointer { s in
            signature.withUnsafeMutableBufferPointer { deduper.signature(ofScalars: s, into: $0) }
        }
        signature.withUnsafeBufferPointer { addNear(index, signature: $0) }
    }

    /// Records `index` as an exact duplicate, or remembers its hash.
    func isDuplicate(_ index: Int, exactHash: UInt64) -> Bool {
        isDuplicate(index, hash: exactHash, in: &exact, kind: .exact)
    }

    func isDuplicate(_ index: Int, normalizedHash: UInt64) -> Bool {
        isDuplicate(index, hash: normalizedHash, in: &normalized, kind: .normalized)
    }

    private func isDuplicate(_ index: Int, hash: UInt64, in table: inout [HashKey: Int32], kind: Deduper.Kind) -> Bool {
        if let first = table[HashKey(hash)] {
            record(Deduper.Removal(index: index, duplicateOf: Int(first), kind: kind, similarity: 1, text: "", keptText: ""))
            return true
        }
        table[HashKey(hash)] = Int32(index)
        return false
    }

    /// The bucket key of one band's rows, by ``ContentHasher`` (two multiplies).
    @inline(__always)
    static func bandKey(_ band: Int, rows: UnsafeBufferPointer<UInt32>) -> HashKey {
        var h = ContentHasher()
        h.mix(0x42, UInt64(band))
        var r = 0
        while r < rows.count {
            h.mix(UInt64(rows[r]), r + 1 < rows.count ? UInt64(rows[r + 1]) : 0)
            r += 2
        }
        return HashKey(h.value)
    }

    /// Compares `signature` with the kept records sharing a band; records a near duplicate of the
    /// most similar one at or above the threshold, or keeps this record.
    func addNear(_ index: Int, signature sig: UnsafeBufferPointer<UInt32>) {
        var best: (Int, Double)?
        let threshold = deduper.options.threshold
        let allowed = Deduper.hashes - minimumEqual
        func consider(_ candidate: Int32) {
            let base = Int(candidate) * Deduper.hashes
            guard let n = Self.equalCount(sig, signatures.buffer(base..<(base + Deduper.hashes)), allowed: allowed) else { return }
            let s = Double(n) / Double(Deduper.hashes)
            if s >= threshold, s > (best?.1 ?? 0) { best = (Int(candidate), s) }
        }
        let id = Int32(keptIndex.count)
        // perf: the tables are moved out of `self` while the record is looked up and added (one
        // exclusivity check, not one per band and access).
        for band in 0..<bands {
            bandKeys[band] = Self.bandKey(band, rows: UnsafeBufferPointer(rebasing: sig[(band * rows)..<((band + 1) * rows)]))
        }
        var tables = bandFirst
        bandFirst = []
        defer { bandFirst = tables }
        var empty: UInt32 = 0
        for band in 0..<bands {
            let values = UnsafeBufferPointer(rebasing: sig[(band * rows)..<((band + 1) * rows)])
            let bandKey = bandKeys[band]
            guard let head = tables[band].first(hash: bandKey.value, rows: values, signatures: signatures) else {
                empty |= 1 << band
                continue
            }
            // perf: a candidate met again in another band is compared again (64 lanes, cheaper
            // than a set of those compared); the same similarity never replaces the best.
            consider(head)
            if let more = bandMore[band][bandKey] { for candidate in more { consider(candidate) } }
        }
        if let best {
            record(Deduper.Removal(index: index, duplicateOf: Int(keptIndex[best.0]), kind: .near, similarity: best.1, text: "", keptText: ""))
            return
        }
        signatures.append(contentsOf: sig)
        keptIndex.append(Int32(index))
        // A bucket holds at most `bucketLimit` records: beyond that, texts sharing a band are
        // so common (boilerplate) that comparing with all of them would be quadratic.
        for band in 0..<bands {
            let key = bandKeys[band]
            if empty & (1 << band) != 0 {
                tables[band].insert(hash: key.value, record: id)
            } else if 1 + (bandMore[band][key]?.count ?? 0) < Deduper.bucketLimit {
                bandMore[band][key, default: []].append(id)
            }
        }
    }

    /// The number of equal values of two signatures, or nil when the first 16 values already
    /// differ in more than `allowed` places (the pair is below the threshold: most chance
    /// candidates, read one cache line instead of four). perf: 8 lanes at a time; the scalar loop
    /// was not vectorized and was ~15% of `lfm dedupe`.
    @inline(__always)
    static func equalCount(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, allowed: Int) -> Int? {
        precondition(a.count == Deduper.hashes && b.count == Deduper.hashes && Deduper.hashes == 64)
        let x = UnsafeRawPointer(a.baseAddress!), y = UnsafeRawPointer(b.baseAddress!)
        func equal(_ k: Int) -> SIMD8<UInt32> {
            let u = x.loadUnaligned(fromByteOffset: 32 * k, as: SIMD8<UInt32>.self)
            let v = y.loadUnaligned(fromByteOffset: 32 * k, as: SIMD8<UInt32>.self)
            return SIMD8<UInt32>(repeating: 0).replacing(with: 1, where: u .== v)
        }
        var n = equal(0) &+ equal(1)
        if 16 - Int(n.wrappedSum()) > allowed { return nil }
        for k in 2..<8 { n &+= equal(k) }
        return Int(n.wrappedSum())
    }

    /// Counts one more record without looking at it (the second half's replay does the rest).
    func countRecord() { report.records += 1 }

    private func record(_ removal: Deduper.Removal) {
        report.removed[removal.kind, default: 0] += 1
        report.removedIndexes.insert(removal.index)
        if report.examples.filter({ $0.kind == removal.kind }).count < examplesPerKind { report.examples.append(removal) }
    }
}

/// The second half of a two-part `lfm dedupe`: what the index needs of each record, computed
/// on its own core (hashes, and the signature unless an earlier record of the half has the same
/// normalized text, which then decides it), replayed into the first half's index in order.
final class DedupeTail {
    let deduper: Deduper
    private var exactHashes: [UInt64] = []
    /// 0 where an earlier record of the half has the same exact text (it decides).
    private var normalizedHashes: [UInt64] = []
    /// Start of each record's signature in `signatures`, -1 for none.
    private var signatureStart: [Int32] = []
    private var signatures = GrowingColumn<UInt32>()
    private var seenExact = Set<HashKey>()
    private var seenNormalized = Set<HashKey>()
    private var scalars: [UInt32] = []
    private var signature = [UInt32](repeating: 0, count: Deduper.hashes)

    init(deduper: Deduper) { self.deduper = deduper }

    func add(text: String) {
        let exactHash = DedupeIndex.exactHash(text)
        exactHashes.append(exactHash)
        guard seenExact.insert(HashKey(exactHash)).inserted else {
            normalizedHashes.append(0)
            signatureStart.append(-1)
            return
        }
        Deduper.normalizedScalars(text, into: &scalars)
        let normalizedHash = DedupeIndex.normalizedHash(scalars)
        normalizedHashes.append(normalizedHash)
        guard deduper.options.near, seenNormalized.insert(HashKey(normalizedHash)).inserted else {
            signatureStart.append(-1)
            return
        }
        scalars.withUnsafeBufferPointer { s in
            signature.withUnsafeMutableBufferPointer { deduper.signature(ofScalars: s, into: $0) }
        }
        signatureStart.append(Int32(signatures.count))
        signature.withUnsafeBufferPointer { signatures.append(contentsOf: $0) }
    }

    /// Feeds the half's records to `index` (which holds the first half) in order.
    func replay(into index: DedupeIndex) {
        let base = index.report.records
        do {
            for i in exactHashes.indices {
                let global = base + i
                index.countRecord()
                if index.isDuplicate(global, exactHash: exactHashes[i]) { continue }
                // (A record whose text an earlier record of this half had is an exact duplicate
                // by now, and one whose normalized text it had a normalized duplicate.)
                if index.isDuplicate(global, normalizedHash: normalizedHashes[i]) { continue }
                guard deduper.options.near else { continue }
                let start = Int(signatureStart[i])
                precondition(start >= 0, "a record's normalized text was new but had no signature")
                index.addNear(global, signature: signatures.buffer(start..<(start + Deduper.hashes)))
            }
        }
    }
}

/// One half's state in ``Deduper/findInParts(_:codec:examplesPerKind:)``.
final class DedupePart {
    let head: DedupeIndex?
    let tail: DedupeTail?
    init(head: DedupeIndex?, tail: DedupeTail?) {
        self.head = head
        self.tail = tail
    }
}

extension Deduper {
    /// A large file as two halves on two cores: the first half goes through the index as in one
    /// pass while the second computes its records' hashes and signatures; the caller replays the
    /// second into the first (``DedupeTail/replay(into:)``), which gives the one-pass report.
    /// Nil: read in one pass.
    func findInParts(_ input: DatasetInput, codec: RecordCodec, examplesPerKind: Int) -> (DedupeIndex, DedupeTail)? {
        let result = TwoPartReader.run(
            path: input.path, layoutHint: input.layoutHint, minimumSize: partsMinimumSize,
            makePart: { isHead in
                isHead ? DedupePart(head: DedupeIndex(deduper: self, examplesPerKind: examplesPerKind), tail: nil)
                       : DedupePart(head: nil, tail: DedupeTail(deduper: self))
            },
            body: { part, location, value in
                let text = key(value, codec: codec)
                if let head = part.head { head.add(location.index, text: text) } else { part.tail!.add(text: text) }
            })
        guard let result, let head = result.head.head, let tail = result.tail.tail else { return nil }
        return (head, tail)
    }
}

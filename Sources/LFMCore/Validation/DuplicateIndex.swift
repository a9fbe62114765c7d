/// How much of the exact-duplicate index `validate` keeps in memory (per part of the file).
struct DuplicateLimits: Sendable {
    /// Records whose hashes stay in memory (``DuplicateTable``, and in the second half of a
    /// two-part validation each record's line); past it the index spills to a temporary file.
    var leadingRecords: Int
    var trailingRecords: Int
    /// Entries of the spill buffer (one sorted run each time it fills).
    var runEntries: Int
    /// Bytes of read buffers for the final merge of the runs.
    var mergeMemory: Int
    /// Where the spill file goes (nil: `$TMPDIR`, else `/tmp`). Tests.
    var directories: [String]? = nil
    /// Tests: spill writes fail as on a full disk.
    var failWrites = false

    /// perf: what fits in `bytes` of tables per part, with 2 MiB spill buffers. 8 MiB holds
    /// ~390k records (a ~400 MB file), so files of a few hundred MB never spill.
    static func budget(_ bytes: Int) -> DuplicateLimits {
        // The table, plus `extra` bytes a record in a column grown by doubling (lines).
        func size(_ n: Int, _ extra: Int) -> Int {
            var column = 1 << 12
            while column < n { column *= 2 }
            return DuplicateTable.bytes(forRecords: n) + column * extra
        }
        func fitting(extra: Int) -> Int {
            var n = 1 << 12
            while size(n * 2, extra) <= bytes { n *= 2 }
            var step = n / 8
            while step > 0 {
                if size(n + step, extra) <= bytes { n += step } else { step /= 2 }
            }
            return n
        }
        return DuplicateLimits(leadingRecords: fitting(extra: 0), trailingRecords: fitting(extra: 4),
                               runEntries: (2 << 20) / MemoryLayout<DuplicateEntry>.stride, mergeMemory: 2 << 20)
    }

    static let standard = budget(8 << 20)
    /// Everything in memory (the fallback when a spill file fails).
    static let unbounded = DuplicateLimits(leadingRecords: .max, trailingRecords: .max, runEntries: 1, mergeMemory: 0)
}

/// A spilled record: its hash, number and line (numbers and lines of its part until merged).
struct DuplicateEntry: Comparable, BitwiseCopyable {
    var hash: UInt64
    var record: Int
    var line: Int

    static func < (a: DuplicateEntry, b: DuplicateEntry) -> Bool {
        a.hash != b.hash ? a.hash < b.hash : a.record < b.record
    }
    static func == (a: DuplicateEntry, b: DuplicateEntry) -> Bool { a.hash == b.hash && a.record == b.record }
}

/// A record that prints as an earlier one (`first`): a "duplicate" warning.
struct DuplicateFinding: Equatable {
    var record: Int
    var line: Int
    var first: Int
}

/// The exact-duplicate index of one part of a file (all of it in one pass), in bounded memory.
///
/// Up to ``DuplicateLimits`` records it is the in-memory ``DuplicateTable``, answered as records
/// come (`leading`: one pass or the first half), or kept with each record's line for the merge
/// (`trailing`: the second half, whose records the first half's table is asked about later).
/// Past the limit it spills: the table's distinct hashes with their first records (leading) or
/// every record so far (trailing) go to sorted runs in a temporary file, the table is freed, and
/// every later record goes to the runs. ``resolve(_:keep:memory:)`` then merges the runs of all
/// parts: in each group of equal hashes the lowest record is the first copy and every other one
/// a duplicate of it, which is what the table would have answered. A leading part's duplicates
/// found before the spill are not in the runs (only first copies are), so nothing is found twice.
/// When no temporary file can be created the index stays in memory (unbounded).
final class DuplicateIndex {
    enum Role { case leading, trailing }
    let role: Role
    let limits: DuplicateLimits
    private let recordLimit: Int
    /// Records added so far.
    private(set) var count = 0
    private var table: DuplicateTable? = DuplicateTable()
    /// Trailing, in memory: each record's line; its duplicates within the part (record, first).
    private var lines = GrowingColumn<UInt32>()
    private(set) var localDuplicates = GrowingColumn<UInt32>()
    private(set) var localFirsts = GrowingColumn<UInt32>()
    private(set) var runs: SortedRuns<DuplicateEntry>?
    private var cannotSpill = false

    init(_ role: Role, limits: DuplicateLimits) {
        self.role = role
        self.limits = limits
        recordLimit = role == .leading ? limits.leadingRecords : limits.trailingRecords
    }

    var spilled: Bool { runs != nil }
    /// A spill write failed: the index is incomplete.
    var failed: Bool { runs?.failed ?? false }
    /// Hashes held in memory now (table and spill buffer): what the limits bound.
    var heldInMemory: Int { (table?.count ?? 0) + (runs?.buffered ?? 0) }

    /// Adds the next record (numbered from 0). Leading: the first earlier record with this hash
    /// when it is known now, nil when there is none or when it is left to ``resolve``
    /// (spilled). Trailing: always nil. (Trailing lines must fit in 32 bits: the caller checks.)
    @inline(__always)
    func add(hash: UInt64, line: Int) -> Int? {
        let number = count
        count += 1
        if let runs {
            runs.append(DuplicateEntry(hash: hash, record: number, line: line))
            return nil
        }
        if number >= recordLimit, !cannotSpill, spill() {
            runs!.append(DuplicateEntry(hash: hash, record: number, line: line))
            return nil
        }
        let first = table!.firstRecord(withHash: hash)
        if role == .leading { return first }
        lines.append(UInt32(truncatingIfNeeded: line))
        if let first {
            localDuplicates.append(UInt32(truncatingIfNeeded: number))
            localFirsts.append(UInt32(truncatingIfNeeded: first))
        }
        return nil
    }

    /// In memory: the first record with this hash, without adding it.
    func firstRecord(lookingUp hash: UInt64) -> Int? { table!.firstRecord(lookingUp: hash) }
    /// In memory: record `i`'s hash and line (trailing).
    func hash(ofRecord i: Int) -> UInt64 { table!.hash(ofRecord: i) }
    func line(ofRecord i: Int) -> Int { Int(lines[i]) }

    /// Moves what the table holds to sorted runs and frees it. False when no temporary file can
    /// be created (the index then stays in memory for good).
    @discardableResult
    func spill() -> Bool {
        if runs != nil { return true }
        guard let runs = SortedRuns<DuplicateEntry>(bufferCapacity: limits.runEntries, directories: limits.directories, failWrites: limits.failWrites) else {
            cannotSpill = true
            return false
        }
        let table = self.table!
        switch role {
        case .leading:
            table.forEachFirst { runs.append(DuplicateEntry(hash: $0, record: $1, line: 0)) }
        case .trailing:
            for i in 0..<table.count { runs.append(DuplicateEntry(hash: table.hash(ofRecord: i), record: i, line: Int(lines[i]))) }
        }
        self.table = nil
        lines = GrowingColumn()
        localDuplicates = GrowingColumn()
        localFirsts = GrowingColumn()
        self.runs = runs
        return true
    }

    /// The duplicates found in the runs of `parts` (each spilled, in file order, with the file's
    /// record and line numbers where it starts): their number, and the `keep` with the lowest
    /// records, in record order.
    static func resolve(_ parts: [(index: DuplicateIndex, recordBase: Int, lineBase: Int)], keep: Int, memory: Int) throws -> (count: Int, kept: [DuplicateFinding]) {
        var count = 0
        var kept: [DuplicateFinding] = []
        var group: UInt64 = 0, first = -1
        func trim() {
            kept.sort { $0.record < $1.record }
            kept.removeLast(kept.count - keep)
        }
        let sources = parts.map { part in
            (runs: part.index.runs!, transform: { (e: DuplicateEntry) in
                DuplicateEntry(hash: e.hash, record: e.record + part.recordBase, line: e.line + part.lineBase) })
        }
        try SortedRuns.merge(sources, memory: memory) { entry in
            if first >= 0, entry.hash == group {
                count += 1
                if keep > 0 {
                    kept.append(DuplicateFinding(record: entry.record, line: entry.line, first: first))
                    if kept.count >= 2 * keep { trim() }
                }
            } else {
                group = entry.hash
                first = entry.record
            }
        }
        if kept.count > keep { trim() } else { kept.sort { $0.record < $1.record } }
        return (count, kept)
    }
}

extension ValidationIssue {
    /// The warning for a record that prints as an earlier one.
    static func duplicate(record: Int, line: Int?, first: Int) -> ValidationIssue {
        ValidationIssue(.warning, "duplicate", record: record, line: line, message: "same as record \(first)",
                        hint: "duplicates over-weight one example; remove them with `lfm dedupe`")
    }
}

extension ValidationReport {
    /// Adds `count` "duplicate" warnings found after the fact, of which `kept` (the lowest
    /// records, in record order) are placed among the kept issues as if added record by record:
    /// after every issue of the same or an earlier record. Only per-record issues (all in record
    /// order) may be in the report yet.
    mutating func addDuplicates(count: Int, kept: [DuplicateFinding]) {
        guard count > 0 else { return }
        let earlier = counts["duplicate", default: 0]
        counts["duplicate"] = earlier + count
        warningCount += count
        let room = max(0, Self.keepPerCode - earlier)
        let adding = kept.prefix(room)
        guard !adding.isEmpty else { return }
        var merged: [ValidationIssue] = []
        merged.reserveCapacity(issues.count + adding.count)
        var next = adding.startIndex
        for issue in issues {
            while next < adding.endIndex, issue.record.map({ $0 > adding[next].record }) ?? true {
                merged.append(.duplicate(record: adding[next].record, line: adding[next].line, first: adding[next].first))
                next += 1
            }
            merged.append(issue)
        }
        for finding in adding[next...] { merged.append(.duplicate(record: finding.record, line: finding.line, first: finding.first)) }
        issues = merged
    }
}

/// Counts the distinct 64-bit hashes among those inserted, in bounded memory: a `Set` up to
/// `limits.inMemory` distinct values, then sorted runs in a nameless temporary file
/// (``SortedRuns``), merged when counted. `lfm stats` counts its duplicates with it (inserted
/// minus distinct). Where no temporary file can be created it stays in memory.
public final class DistinctHashes {
    public struct Limits: Sendable {
        /// Distinct values kept in a `Set` before spilling.
        public var inMemory: Int
        /// Values per sorted run (the spill buffer).
        public var runEntries: Int
        /// Bytes of read buffers for the final merge.
        public var mergeMemory: Int
        /// Where the spill file goes (nil: `$TMPDIR`, else `/tmp`). Tests.
        public var directories: [String]?
        /// Tests: spill writes fail as on a full disk.
        var failWrites = false

        public init(inMemory: Int, runEntries: Int, mergeMemory: Int, directories: [String]? = nil) {
            self.inMemory = inMemory
            self.runEntries = runEntries
            self.mergeMemory = mergeMemory
            self.directories = directories
        }

        /// perf: 393,216 values fill a `Set` of 2^19 buckets (4 MiB) at its 3/4 load; 2 MiB runs.
        public static let standard = Limits(inMemory: 393_216, runEntries: 262_144, mergeMemory: 2 << 20)
        /// Everything in memory (the fallback when a spill file fails).
        public static let unbounded = Limits(inMemory: .max, runEntries: 1, mergeMemory: 0)
    }

    public let limits: Limits
    private var values = Set<UInt64>()
    private var runs: SortedRuns<UInt64>?
    private var cannotSpill = false
    /// Values inserted, repeated ones included.
    public private(set) var inserted = 0

    public init(limits: Limits = .standard) { self.limits = limits }

    public var spilled: Bool { runs != nil }
    /// Values held in memory now (`Set` and spill buffer): what the limits bound.
    public var heldInMemory: Int { values.count + (runs?.buffered ?? 0) }

    @inline(__always)
    public func insert(_ hash: UInt64) {
        inserted += 1
        if let runs {
            runs.append(hash)
            return
        }
        if values.count >= limits.inMemory, !cannotSpill, spill() {
            runs!.append(hash)
            return
        }
        values.insert(hash)
    }

    /// Moves the set to sorted runs; false when no temporary file can be created.
    @discardableResult
    private func spill() -> Bool {
        if runs != nil { return true }
        guard let runs = SortedRuns<UInt64>(bufferCapacity: limits.runEntries, directories: limits.directories, failWrites: limits.failWrites) else {
            cannotSpill = true
            return false
        }
        for value in values { runs.append(value) }
        values = []
        self.runs = runs
        return true
    }

    /// The number of distinct values inserted into any of `parts`; nil when a spill file could
    /// not be written or read back (count again with ``Limits/unbounded``).
    public static func distinct(_ parts: [DistinctHashes]) -> Int? {
        if parts.isEmpty { return 0 }
        if !parts.contains(where: \.spilled) {
            if parts.count == 1 { return parts[0].values.count }
            if parts.count == 2 {
                // perf: no union set: |A| + |B| - |A ∩ B|.
                let (small, large) = parts[0].values.count <= parts[1].values.count ? (parts[0].values, parts[1].values) : (parts[1].values, parts[0].values)
                return large.count + small.reduce(0) { $0 + (large.contains($1) ? 0 : 1) }
            }
            var union = Set<UInt64>()
            for part in parts { union.formUnion(part.values) }
            return union.count
        }
        for part in parts where !part.spill() { return nil }
        var count = 0
        var last: UInt64 = 0
        do {
            try SortedRuns.merge(parts.map { (runs: $0.runs!, transform: { $0 }) }, memory: parts[0].limits.mergeMemory) { value in
                if count == 0 || value != last { count += 1; last = value }
            }
        } catch {
            return nil
        }
        return count
    }
}

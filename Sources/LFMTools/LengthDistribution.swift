import Foundation

/// A distribution of lengths in fixed memory: exact values up to `exactLimit` records, then a
/// log-bucketed histogram (0–1023 exact, ~1% wide buckets above), plus power-of-two bins for
/// the terminal histogram.
public struct LengthDistribution: Sendable, Equatable {
    public static let exactLimit = 1 << 20
    public private(set) var count = 0
    public private(set) var sum = 0
    public private(set) var min = Int.max
    public private(set) var max = 0
    private var exact: [Int32]? = []
    private var buckets: [Int: Int] = [:]
    /// `bins[k]`: lengths in [2^(k-1), 2^k), bins[0] = zero lengths.
    public private(set) var bins = [Int](repeating: 0, count: 48)

    public init() {}

    static func bucket(_ v: Int) -> Int { v < 1024 ? v : 1024 + Int((log(Double(v) / 1024) / log(1.01)).rounded(.down)) }
    static func lowerBound(_ b: Int) -> Int { b < 1024 ? b : Int((1024 * pow(1.01, Double(b - 1024))).rounded(.up)) }

    public mutating func add(_ value: Int) {
        count += 1
        sum += value
        if value < min { min = value }
        if value > max { max = value }
        bins[value == 0 ? 0 : Swift.min(47, Int.bitWidth - value.leadingZeroBitCount)] += 1
        if exact != nil {
            if count > Self.exactLimit {
                // perf: the buckets are only read once values are no longer kept exactly, so they
                // are filled then, from the exact values (a dictionary update per value was ~3%
                // of `lfm stats`).
                for v in exact! { buckets[Self.bucket(Int(v)), default: 0] += 1 }
                exact = nil
                buckets[Self.bucket(value), default: 0] += 1
            } else {
                exact!.append(Int32(clamping: value))
            }
        } else {
            buckets[Self.bucket(value), default: 0] += 1
        }
    }

    /// Adds `other`'s values as if each had been ``add(_:)``ed after this one's: the same
    /// distribution (exact values in the same order, the same buckets once over `exactLimit`).
    public mutating func merge(_ other: LengthDistribution) {
        let total = count + other.count
        if let mine = exact, let theirs = other.exact, total <= Self.exactLimit {
            exact = mine + theirs
        } else {
            if let mine = exact {
                for v in mine { buckets[Self.bucket(Int(v)), default: 0] += 1 }
                exact = nil
            }
            if let theirs = other.exact {
                for v in theirs { buckets[Self.bucket(Int(v)), default: 0] += 1 }
            } else {
                for (key, n) in other.buckets { buckets[key, default: 0] += n }
            }
        }
        count = total
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        for k in bins.indices { bins[k] += other.bins[k] }
    }

    public var isExact: Bool { exact != nil }
    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// The nearest-rank percentile (`p` in 0...100): the smallest value with at least p% of
    /// values at or below it. Exact while `isExact`; otherwise within about 1%.
    public func percentile(_ p: Double) -> Int {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, Int((p / 100 * Double(count)).rounded(.up)))
        if exact != nil { return exactValues(atRanks: [rank])[0] }
        var seen = 0
        for key in buckets.keys.sorted() {
            seen += buckets[key]!
            if seen >= rank { return Swift.min(max, Swift.max(min, Self.lowerBound(key))) }
        }
        return max
    }

    /// Several percentiles with one sort.
    public func percentiles(_ ps: [Double]) -> [Int] {
        guard count > 0 else { return ps.map { _ in 0 } }
        if exact != nil {
            return exactValues(atRanks: ps.map { p in Swift.max(1, Int((p / 100 * Double(count)).rounded(.up))) })
        }
        return ps.map(percentile)
    }

    /// The values at these 1-based ranks (≤ count) of the sorted exact values. perf: lengths are
    /// small, so a counting pass over 0...max replaces sorting (sorting took ~9% of `lfm stats`).
    private func exactValues(atRanks ranks: [Int]) -> [Int] {
        guard let exact else { return [] }
        guard max <= 1 << 22, min >= 0 else {
            let sorted = exact.sorted()
            return ranks.map { Int(sorted[$0 - 1]) }
        }
        var counts = [Int32](repeating: 0, count: max + 1)
        counts.withUnsafeMutableBufferPointer { c in
            for v in exact { c[Int(v)] += 1 }
        }
        let order = ranks.indices.sorted { ranks[$0] < ranks[$1] }
        var out = [Int](repeating: max, count: ranks.count)
        var k = 0
        var seen = 0
        for value in 0...max where k < order.count {
            seen += Int(counts[value])
            while k < order.count, ranks[order[k]] <= seen {
                out[order[k]] = value
                k += 1
            }
        }
        return out
    }

    /// How many values exceed `limit`.
    public func countAbove(_ limit: Int) -> Int {
        if let exact { return exact.reduce(0) { $0 + ($1 > limit ? 1 : 0) } }
        return buckets.reduce(0) { $0 + (Self.lowerBound($1.key) > limit ? $1.value : 0) }
    }
}

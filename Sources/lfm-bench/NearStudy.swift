import Foundation
import LFMCore
import LFMTools

// lfm-bench nearstudy: precision and recall of `lfm dedupe`'s near duplicates (docs/performance.md).
//
// Plants pairs of records at known true Jaccard similarities of their character 5-gram sets
// (normalized text, as dedupe compares them) among unrelated records, in four shapes (Chinese /
// English, 20 / 2,000 characters), runs the whole dedupe pipeline once per estimator and prints
// per true-Jaccard bucket the share of planted pairs reported, then recall (planted pairs at or
// above the threshold found) and precision (reported near pairs whose true Jaccard is at or
// above it) per shape.

struct NearStudy {
    enum Shape: Int, CaseIterable {
        case cjkShort, cjkLong, asciiShort, asciiLong
        var name: String { ["Chinese, 20 chars", "Chinese, 2,000 chars", "English, 20 chars", "English, 2,000 chars"][rawValue] }
        var length: Int { self == .cjkShort || self == .asciiShort ? 20 : 2000 }
        var cjk: Bool { self == .cjkShort || self == .cjkLong }
    }

    struct Pair {
        var shape: Shape
        var first: Int
        var second: Int
        var jaccard: Double
    }

    static let buckets: [(Double, Double)] = [(0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.85), (0.85, 0.9),
                                              (0.9, 0.95), (0.95, 1.0001)]

    var rng: LFMTools.SplitMix64
    let ideographs: [Unicode.Scalar]
    let words: [String]

    init(seed: UInt64) {
        rng = LFMTools.SplitMix64(seed: seed)
        var r = LFMTools.SplitMix64(seed: seed ^ 0xC0FFEE)
        // 600 common-range ideographs; words of 2-9 letters: unrelated texts share some 5-grams.
        ideographs = (0..<600).map { _ in Unicode.Scalar(0x4E00 + UInt32(r.below(0x5000)))! }
        words = (0..<2000).map { _ in
            String((0..<(2 + r.below(8))).map { _ in Character(Unicode.Scalar(UInt8(0x61 + r.below(26)))) })
        }
    }

    mutating func letter(_ shape: Shape) -> Unicode.Scalar {
        shape.cjk ? ideographs[rng.below(ideographs.count)] : Unicode.Scalar(UInt8(0x61 + rng.below(26)))
    }

    /// A text of the shape's length (Chinese: ideographs; English: words and single spaces).
    mutating func text(_ shape: Shape) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        while out.count < shape.length {
            if shape.cjk {
                out.append(letter(shape))
            } else {
                if !out.isEmpty { out.append(" ") }
                out.append(contentsOf: words[rng.below(words.count)].unicodeScalars)
            }
        }
        out.removeLast(out.count - shape.length)
        while out.last == " " { out[out.count - 1] = letter(shape) }
        return out
    }

    /// One random edit (substitute, insert or delete a character); short texts are edited near
    /// an end 3 times in 4, which is how a 20-character text keeps a high similarity.
    mutating func edit(_ text: inout [Unicode.Scalar], _ shape: Shape) {
        var position = rng.below(text.count)
        if shape.length <= 20 && rng.below(4) != 0 {
            let near = rng.below(2)
            position = rng.below(2) == 0 ? near : text.count - 1 - near
        }
        switch rng.below(3) {
        case 0: text[position] = letter(shape)
        case 1: text.insert(letter(shape), at: position)
        default: if text.count > 6 { text.remove(at: position) } else { text[position] = letter(shape) }
        }
    }

    struct Shingle: Hashable { var a: UInt64, b: UInt64 }

    /// The character 5-gram set of a text's normalized form (one shingle for a shorter text).
    static func shingles(_ text: String) -> Set<Shingle> {
        let s = Deduper.normalize(text).unicodeScalars.map { UInt64($0.value) }
        let k = 5
        var set = Set<Shingle>()
        let count = s.count < k ? (s.isEmpty ? 0 : 1) : s.count - k + 1
        for start in 0..<count {
            let g = Array(s[start..<min(s.count, start + k)])
            var a: UInt64 = UInt64(g.count), b: UInt64 = 0
            for (i, v) in g.enumerated() {
                if i < 3 { a |= v << (21 * UInt64(i) + 3) } else { b |= v << (21 * UInt64(i - 3)) }
            }
            set.insert(Shingle(a: a, b: b))
        }
        return set
    }

    static func jaccard(_ x: Set<Shingle>, _ y: Set<Shingle>) -> Double {
        if x.isEmpty && y.isEmpty { return 1 }
        let common = x.intersection(y).count
        return Double(common) / Double(x.count + y.count - common)
    }

    /// The planted copy of `original`, aiming at a similarity drawn in 0.55..1.
    mutating func copy(of original: [Unicode.Scalar], _ shape: Shape) -> (String, Double) {
        let a = String(String.UnicodeScalarView(original))
        let setA = Self.shingles(a)
        let target = 0.55 + 0.45 * Double(rng.below(1_000_000)) / 1e6
        var b = original
        if shape.length > 20 {
            // Each edit changes about 5 of ~2,000 shingles: J ≈ (n - 5m) / (n + 5m).
            let n = Double(shape.length)
            let m = max(1, Int((n * (1 - target) / (5 * (1 + target))).rounded()))
            for _ in 0..<m { edit(&b, shape) }
        } else {
            for _ in 0..<40 {
                edit(&b, shape)
                if Self.jaccard(setA, Self.shingles(String(String.UnicodeScalarView(b)))) <= target { break }
            }
        }
        let text = String(String.UnicodeScalarView(b))
        return (text, Self.jaccard(setA, Self.shingles(text)))
    }

    struct Outcome {
        var found = 0, pairs = 0
    }

    static func run(_ args: [String]) throws {
        let pairsPerShape = Int(option("--pairs", in: args) ?? "") ?? 1000
        let background = Int(option("--background", in: args) ?? "") ?? 3000
        let seed = UInt64(option("--seed", in: args) ?? "") ?? 15
        let threshold = Double(option("--threshold", in: args) ?? "") ?? Deduper.Options().threshold
        let dir = option("--dir", in: args) ?? (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/lfm-bench"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

        var study = NearStudy(seed: seed)
        var firsts: [(String, Shape)] = []
        var seconds: [(String, Shape, Int)] = []   // text, shape, index of its original in firsts
        var jaccards: [Double] = []
        for shape in Shape.allCases {
            for _ in 0..<background { firsts.append((String(String.UnicodeScalarView(study.text(shape))), shape)) }
            var planted = 0
            while planted < pairsPerShape {
                let original = study.text(shape)
                let (copy, j) = study.copy(of: original, shape)
                let a = String(String.UnicodeScalarView(original))
                guard Deduper.normalize(copy) != Deduper.normalize(a) else { continue }
                firsts.append((a, shape))
                seconds.append((copy, shape, firsts.count - 1))
                jaccards.append(j)
                planted += 1
            }
        }
        // Originals and unrelated records shuffled, then the copies shuffled (each after its original).
        var order = Array(firsts.indices)
        var copyOrder = Array(seconds.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, study.rng.below(i + 1)) }
        for i in stride(from: copyOrder.count - 1, to: 0, by: -1) { copyOrder.swapAt(i, study.rng.below(i + 1)) }
        var texts: [String] = [], shapes: [Shape] = []
        var position = [Int](repeating: 0, count: firsts.count)
        for i in order {
            position[i] = texts.count
            texts.append(firsts[i].0)
            shapes.append(firsts[i].1)
        }
        var pairs: [Pair] = []
        for c in copyOrder {
            pairs.append(Pair(shape: seconds[c].1, first: position[seconds[c].2], second: texts.count, jaccard: jaccards[c]))
            texts.append(seconds[c].0)
            shapes.append(seconds[c].1)
        }
        let path = dir + "/nearstudy-\(seed).jsonl"
        var file = ""
        for t in texts { file += "{\"instruction\": \"\(t)\", \"input\": \"\", \"output\": \"x\"}\n" }
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        print("\(texts.count) records (\(pairs.count) planted pairs, \(background) unrelated records per shape), "
              + "threshold \(threshold), seed \(seed): \(path)")

        let input = try DatasetInput.file(path)
        var results: [(String, [Int: Deduper.Removal], Double)] = []
        let ophHashes = (option("--oph-hashes", in: args) ?? "\(Deduper.Options().shingleHashes)").split(separator: ",").compactMap { Int($0) }
        for (estimator, hashes) in [(Deduper.Estimator.minHash, 0)] + ophHashes.map({ (Deduper.Estimator.onePermutation, $0) }) {
            var options = Deduper.Options()
            options.threshold = threshold
            options.fields = ["instruction"]
            options.estimator = estimator
            if hashes > 0 { options.shingleHashes = hashes }
            let label = estimator == .minHash ? "MinHash 64" : "OPH ×\(hashes)"
            let start = now()
            let report = try Deduper(options: options).find(input, examplesPerKind: Int.max)
            let seconds = now() - start
            var near: [Int: Deduper.Removal] = [:]
            for e in report.examples where e.kind == .near { near[e.index] = e }
            let other = report.examples.count - near.count
            if other > 0 { print("note: \(label): \(other) exact/normalized removals (not planted)") }
            results.append((label, near, seconds))
        }

        // Per bucket: share of planted pairs reported (recall at/above the threshold).
        print("\n| true Jaccard | pairs | " + results.map { "\($0.0) reported" }.joined(separator: " | ") + " |")
        print("|---|---|" + results.map { _ in "---|" }.joined())
        for (lo, hi) in buckets {
            let inBucket = pairs.filter { $0.jaccard >= lo && $0.jaccard < hi }
            let cells = results.map { r -> String in
                let found = inBucket.filter { r.1[$0.second]?.duplicateOf == $0.first }.count
                return inBucket.isEmpty ? "–" : String(format: "%.1f%% (%d)", 100 * Double(found) / Double(inBucket.count), found)
            }
            print(String(format: "| %.2f–%.2f | %d | ", lo, min(hi, 1), inBucket.count) + cells.joined(separator: " | ") + " |")
        }

        // Per shape and overall: recall, precision, estimate error.
        var shingleCache: [Int: Set<Shingle>] = [:]
        func set(_ i: Int) -> Set<Shingle> {
            if let s = shingleCache[i] { return s }
            let s = shingles(texts[i])
            shingleCache[i] = s
            return s
        }
        print("\n| shape | estimator | recall (J ≥ \(threshold)) | precision | reported | mean abs(estimate − J) | dedupe time |")
        print("|---|---|---|---|---|---|---|")
        for shape in Shape.allCases.map(Optional.some) + [nil] {
            for (estimator, near, time) in results {
                let planted = pairs.filter { shape == nil || $0.shape == shape }
                let positives = planted.filter { $0.jaccard >= threshold }
                let found = positives.filter { near[$0.second]?.duplicateOf == $0.first }.count
                let reported = near.values.filter { shape == nil || shapes[$0.index] == shape }
                var correct = 0
                var error = 0.0
                for r in reported {
                    let j = jaccard(set(r.index), set(r.duplicateOf))
                    if j >= threshold { correct += 1 }
                    error += abs(r.similarity - j)
                }
                print("| \(shape?.name ?? "all") | \(estimator) | "
                      + String(format: "%.1f%% (%d/%d) | %.1f%% (%d/%d) | %d | %.3f | %@ |",
                               100 * Double(found) / Double(max(1, positives.count)), found, positives.count,
                               100 * Double(correct) / Double(max(1, reported.count)), correct, reported.count,
                               reported.count, reported.isEmpty ? 0 : error / Double(reported.count),
                               shape == nil ? String(format: "%.2f s", time) : ""))
            }
        }
    }
}

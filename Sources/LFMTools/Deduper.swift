import Foundation
import LFMCore

/// `lfm dedupe`: exact, normalized and near duplicates (a 64-value signature of character
/// shingles, ``Estimator``, with LSH banding). The first occurrence is kept. Memory grows with
/// the number of kept records (one 64-value signature each), not with their size.
public struct Deduper {
    public enum Kind: String, Sendable, CaseIterable {
        case exact, normalized, near
    }

    public struct Options: Sendable {
        /// Estimated Jaccard similarity of shingle sets at or above which records are near duplicates.
        public var threshold = 0.85
        /// Record fields to compare; empty = the prompt turns (instruction/prompt).
        public var fields: [String] = []
        public var near = true
        public var shingle = 5
        /// How signatures are computed (one-permutation hashing; MinHash is the reference).
        public var estimator = Estimator.onePermutation
        /// One-permutation hashing: samples per shingle, each into one of the 64 bins (more
        /// samples estimate short texts better; long texts need one).
        public var shingleHashes = 8
        public init() {}
    }

    public struct Removal: Sendable, Equatable {
        public var index: Int
        public var duplicateOf: Int
        public var kind: Kind
        public var similarity: Double
        public var text: String
        public var keptText: String
    }

    public struct Report: Sendable {
        public var records = 0
        public var removed: [Kind: Int] = [:]
        /// The first few removals of each kind.
        public var examples: [Removal] = []
        public var removedIndexes: Set<Int> = []
        public var kept: Int { records - removedIndexes.count }
        public var written: Int?
        public var validation: ValidationReport?
    }

    public static let hashes = 64
    /// LSH banding: a pair becomes a candidate when all `rows` values of one of the `bands`
    /// bands are equal. MinHash (the reference) keeps its 16 × 4; one-permutation hashing uses
    /// 12 × 5 (found at J = 0.85 with probability 0.999, fewer chance candidates; the last 4
    /// values count in the similarity only): `lfm-bench nearstudy` measures both.
    var bands: Int { options.estimator == .minHash ? 16 : 12 }
    var rows: Int { options.estimator == .minHash ? 4 : 5 }

    public var options: Options
    /// Files from this size on are read as two halves on two cores.
    public var partsMinimumSize = TwoPartReader.minimumSize
    public init(options: Options = Options()) { self.options = options }

    /// The text compared for a record.
    func key(_ record: JSONValue, codec: RecordCodec) -> String {
        if options.fields.isEmpty {
            return (try? codec.decode(record))?.instructionText ?? JSONPrinter(indent: nil).string(record)
        }
        return options.fields.map { field in
            guard let value = record[field] else { return "" }
            return value.stringValue ?? JSONPrinter(indent: nil).string(value)
        }.joined(separator: "\n")
    }

    /// Case-folded, NFKC (full-width → half-width), punctuation and symbols removed, whitespace collapsed.
    public static func normalize(_ text: String) -> String {
        var scalars: [UInt32] = []
        if normalizeFast(text, into: &scalars) { return string(ofScalars: scalars) }
        return normalizeGeneral(text)
    }

    /// ``normalize(_:)`` for any text.
    static func normalizeGeneral(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in folded.unicodeScalars {
            let p = scalar.properties
            if p.isWhitespace {
                space = true
                continue
            }
            switch p.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                 .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
                continue
            default: break
            }
            if space && !out.isEmpty { out.append(" ") }
            space = false
            out.append(scalar)
        }
        return String(out)
    }

    static let bucketLimit = 64
    static func clip(_ s: String) -> String { s.count > 160 ? String(s.prefix(157)) + "..." : s }

    public func find(_ input: DatasetInput, examplesPerKind: Int = 5) throws -> Report {
        try findReportingSplit(input, examplesPerKind: examplesPerKind).report
    }

    /// ``find(_:examplesPerKind:)``, and whether the file was read in two parts (same report).
    func findReportingSplit(_ input: DatasetInput, examplesPerKind: Int = 5) throws -> (report: Report, split: Bool) {
        let codec = RecordCodec(spec: input.spec)
        let index: DedupeIndex
        var split = false
        if let (head, tail) = findInParts(input, codec: codec, examplesPerKind: examplesPerKind) {
            tail.replay(into: head)
            index = head
            split = true
        } else {
            index = DedupeIndex(deduper: self, examplesPerKind: examplesPerKind)
            try input.forEach { location, value in index.add(location.index, text: key(value, codec: codec)) }
        }
        var report = index.report
        // Second pass for the example texts only (nothing per record is kept in memory for them).
        var wanted: [Int: String] = [:]
        for e in report.examples { wanted[e.index] = ""; wanted[e.duplicateOf] = "" }
        if !wanted.isEmpty {
            try input.forEach { location, value in
                if wanted[location.index] != nil { wanted[location.index] = Self.clip(key(value, codec: codec)) }
            }
            for i in report.examples.indices {
                report.examples[i].text = wanted[report.examples[i].index] ?? ""
                report.examples[i].keptText = wanted[report.examples[i].duplicateOf] ?? ""
            }
        }
        return (report, split)
    }

    /// Writes the records that `report` keeps, in the input's layout family chosen by `output`'s extension.
    /// With `dryRun` it makes the same checks on `output`, counts the kept records and writes nothing.
    public func writeKept(_ input: DatasetInput, report: inout Report, output: String, force: Bool, dryRun: Bool = false) throws {
        let writer = try RecordWriter(path: output, force: force, protecting: [input.path], dryRun: dryRun)
        if dryRun {
            report.written = report.kept
            return
        }
        var fields: Set<String> = []
        try input.forEach { location, record in
            if !report.removedIndexes.contains(location.index) {
                for key in record.objectValue?.keys ?? [] where !fields.contains(key) { fields.insert(key) }
                try writer.write(record)
            }
        }
        try writer.commit()
        report.written = writer.count
        // Against the output's own fields: a column only removed records had is unmapped.
        let spec = input.layoutHint == .text ? input.spec : input.spec.restricted(toFields: fields)
        report.validation = try FileValidator(spec: spec).validate(path: output)
    }
}

/// A 64-bit hash used as a dictionary key. perf: it is already well mixed, so the dictionary
/// uses it (xor its per-instance seed) as the bucket hash instead of running SipHash over it
/// again (the lookups were ~16% of `lfm dedupe`). Same keys, same lookups.
struct HashKey: Hashable {
    let value: UInt64
    init(_ value: UInt64) { self.value = value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
    func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: value) ^ seed }
}

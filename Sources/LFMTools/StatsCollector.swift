import Foundation
import LFMCore

/// `lfm stats`: one streaming pass over a dataset collecting length distributions (characters
/// and tokens), turns, empty fields, duplicates and the CJK/Latin mix.
public struct StatsCollector {
    public struct FieldStats: Sendable, Equatable {
        public var name: String
        public var chars = LengthDistribution()
        public var tokens = LengthDistribution()
    }

    public struct Report: Sendable, Equatable {
        public var path: String
        public var format: DataFormat
        public var records = 0
        /// Records the converter cannot read (counted nowhere else).
        public var unreadable = 0
        /// prompt, response (or chosen/rejected), system, total.
        public var fields: [FieldStats] = []
        public var turns = LengthDistribution()
        public var emptyPrompts = 0
        public var emptyResponses = 0
        public var emptyTurns = 0
        public var duplicates = 0
        public var cjkCharacters = 0
        public var latinLetters = 0
        public var tokenMethod = ""
        public var tokensExact = false
        public var cutoffLen: Int?

        public func field(_ name: String) -> FieldStats? { fields.first { $0.name == name } }

        /// Share of records whose total tokens exceed `cutoff`.
        public func truncatedShare(at cutoff: Int) -> Double {
            guard let total = field("total"), total.tokens.count > 0 else { return 0 }
            return Double(total.tokens.countAbove(cutoff)) / Double(total.tokens.count)
        }

        /// The smallest common cutoff_len that keeps at least 99% of records whole, with a
        /// margin for the chat template (about 8 tokens per turn).
        public var suggestedCutoff: Int {
            guard let total = field("total"), total.tokens.count > 0 else { return 1024 }
            let margin = 8 * Swift.max(2, turns.percentile(99) + 1)
            let need = total.tokens.percentile(99) + margin
            let steps = [128, 256, 512, 1024, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768, 65536, 131072]
            return steps.first { $0 >= need } ?? ((need + 1023) / 1024 * 1024)
        }

        public var cjkShare: Double {
            let total = cjkCharacters + latinLetters
            return total == 0 ? 0 : Double(cjkCharacters) / Double(total)
        }
    }

    public let counter: TokenCounter
    public var batchSize = 1024
    /// Files from this size on are read as two halves on two cores (with estimated tokens).
    public var partsMinimumSize = TwoPartReader.minimumSize
    /// How many distinct record hashes (for the duplicate count) stay in memory; tests make it tiny.
    var hashLimits = DistinctHashes.Limits.standard
    public var onProgress: ((Int, Int) -> Void)?

    public init(counter: TokenCounter = EstimatedTokenCounter(), onProgress: ((Int, Int) -> Void)? = nil) {
        self.counter = counter
        self.onProgress = onProgress
    }

    public func collect(_ input: DatasetInput, cutoffLen: Int? = nil) throws -> Report {
        try collectReportingSplit(input, cutoffLen: cutoffLen).report
    }

    /// ``collect(_:cutoffLen:)``, and whether the file was read in two parts (same report).
    func collectReportingSplit(_ input: DatasetInput, cutoffLen: Int? = nil) throws -> (report: Report, split: Bool) {
        var report = Report(path: input.path, format: input.format)
        report.tokenMethod = counter.method
        report.tokensExact = counter.isExact
        report.cutoffLen = cutoffLen
        let tally = Tally(input: input, estimating: counter is EstimatedTokenCounter)
        report.fields = tally.names.map { FieldStats(name: $0) }
        let size = input.fileSize
        // perf: with the estimate, every record's numbers merge exactly, so a large file is read
        // as two halves on two cores (``collectInParts``); a tokenizer is fed in one pass.
        if tally.estimating, let merged = collectInParts(input, empty: report, tally: tally) {
            onProgress?(size, size)
            return (merged, true)
        }
        let seen = DistinctHashes(limits: hashLimits)
        let responseCount = tally.responseNames.count
        let totalIndex = tally.totalIndex
        // Texts waiting for token counts: per record, the prompt then each response.
        var batch: [String] = []
        var shapes: [(prompt: Int, responses: Int)] = []

        func flush() throws {
            guard !batch.isEmpty else { return }
            let counts = try counter.count(batch)
            var i = 0
            for _ in shapes {
                let prompt = counts[i]
                report.fields[0].tokens.add(prompt)
                var longest = 0
                for r in 0..<responseCount {
                    let n = counts[i + 1 + r]
                    report.fields[1 + r].tokens.add(n)
                    longest = Swift.max(longest, n)
                }
                report.fields[totalIndex].tokens.add(prompt + longest)
                i += 1 + responseCount
            }
            batch.removeAll(keepingCapacity: true)
            shapes.removeAll(keepingCapacity: true)
        }

        var lastProgress = 0
        try input.forEach { location, record in
            let bytesSeen = location.offset
            if let texts = tally.add(record, to: &report, seen: seen), !tally.estimating {
                batch.append(texts.prompt)
                batch.append(contentsOf: texts.responses.prefix(responseCount))
                for _ in texts.responses.count..<Swift.max(texts.responses.count, responseCount) { batch.append("") }
                shapes.append((1, responseCount))
                if shapes.count >= batchSize { try flush() }
            }
            if let onProgress, bytesSeen - lastProgress > (8 << 20) {
                lastProgress = bytesSeen
                onProgress(bytesSeen, size)
            }
        }
        try flush()
        guard let distinct = DistinctHashes.distinct([seen]) else {
            // The spill file failed (ENOSPC): again, with every hash in memory.
            var copy = self
            copy.hashLimits = .unbounded
            return try copy.collectReportingSplit(input, cutoffLen: cutoffLen)
        }
        report.duplicates = seen.inserted - distinct
        // System prompts: token counts estimated from their share of characters only when exact
        // counting is off; with a tokenizer they are counted in one more pass-free batch.
        if !tally.estimating, report.fields[tally.systemIndex].chars.count > 0 {
            try collectSystemTokens(input, codec: tally.codec, into: &report.fields[tally.systemIndex])
        }
        onProgress?(size, size)
        return (report, false)
    }

    private func collectSystemTokens(_ input: DatasetInput, codec: RecordCodec, into field: inout FieldStats) throws {
        var batch: [String] = []
        func flush() throws {
            for n in try counter.count(batch) { field.tokens.add(n) }
            batch.removeAll(keepingCapacity: true)
        }
        try input.forEach { _, record in
            guard let system = (try? codec.decode(record))?.system else { return }
            batch.append(system)
            if batch.count >= batchSize { try flush() }
        }
        if !batch.isEmpty { try flush() }
    }

    static func countScripts(_ text: String, cjk: inout Int, latin: inout Int) {
        // ASCII fast path on the UTF-8 bytes (same counts as the scalar loop below).
        var copy = text
        let ascii: Int? = copy.withUTF8 { bytes in
            var letters = 0
            for byte in bytes {
                if byte >= 0x80 { return nil }
                if (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) { letters += 1 }
            }
            return letters
        }
        if let ascii {
            latin += ascii
            return
        }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || (v >= 0xC0 && v <= 0x24F && v != 0xD7 && v != 0xF7) {
                latin += 1
            } else if CJK.isLetter(v) {
                cjk += 1
            }
        }
    }
}

extension String {
    /// Unicode scalars ("characters" in the stats), counted on the UTF-8 bytes without decoding.
    var scalarCount: Int {
        var copy = self
        return copy.withUTF8 { bytes in
            var n = 0
            for byte in bytes where byte & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }
}

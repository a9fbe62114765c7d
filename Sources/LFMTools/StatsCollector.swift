import Foundation
import LFMCore

/// `lfm stats`: one streaming pass over a dataset collecting length distributions (characters
/// and tokens), turns, empty fields, duplicates and the CJK/Latin mix.
public struct StatsCollector {
    public struct FieldStats: Sendable {
        public var name: String
        public var chars = LengthDistribution()
        public var tokens = LengthDistribution()
    }

    public struct Report: Sendable {
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
    public var onProgress: ((Int, Int) -> Void)?

    public init(counter: TokenCounter = EstimatedTokenCounter(), onProgress: ((Int, Int) -> Void)? = nil) {
        self.counter = counter
        self.onProgress = onProgress
    }

    public func collect(_ input: DatasetInput, cutoffLen: Int? = nil) throws -> Report {
        var report = Report(path: input.path, format: input.format)
        report.tokenMethod = counter.method
        report.tokensExact = counter.isExact
        report.cutoffLen = cutoffLen
        let responseNames: [String]
        switch input.kind {
        case .preference: responseNames = ["chosen", "rejected"]
        case .pretrain: responseNames = []
        default: responseNames = ["response"]
        }
        let names = (input.kind == .pretrain ? ["text"] : ["prompt"]) + responseNames + ["system", "total"]
        report.fields = names.map { FieldStats(name: $0) }
        let codec = RecordCodec(spec: input.spec)
        var seen = Set<UInt64>()
        // Texts waiting for token counts: per record, the prompt then each response.
        var batch: [String] = []
        var shapes: [(prompt: Int, responses: Int)] = []
        let systemIndex = names.firstIndex(of: "system")!
        let totalIndex = names.count - 1

        func flush() throws {
            guard !batch.isEmpty else { return }
            let counts = try counter.count(batch)
            var i = 0
            for _ in shapes {
                let prompt = counts[i]
                report.fields[0].tokens.add(prompt)
                var longest = 0
                for r in 0..<responseNames.count {
                    let n = counts[i + 1 + r]
                    report.fields[1 + r].tokens.add(n)
                    longest = Swift.max(longest, n)
                }
                report.fields[totalIndex].tokens.add(prompt + longest)
                i += 1 + responseNames.count
            }
            batch.removeAll(keepingCapacity: true)
            shapes.removeAll(keepingCapacity: true)
        }

        var lastProgress = 0
        let size = input.fileSize
        var bytesSeen = 0
        // perf: with the estimate, each text is measured in one pass (``TextMeasure``: scalars,
        // scripts, tokens) and its tokens are added at once, system prompts included; only a
        // real tokenizer needs the batches (and a second pass for system prompts).
        let estimating = counter is EstimatedTokenCounter
        try input.forEach { location, record in
            report.records += 1
            bytesSeen = location.offset
            guard let conversation = try? codec.decode(record) else {
                report.unreadable += 1
                return
            }
            let prompt = conversation.promptText
            let responses = conversation.responses
            let promptMeasure = TextMeasure(prompt)
            let responseMeasures = responses.map(TextMeasure.init)
            let promptChars = promptMeasure.scalars
            report.fields[0].chars.add(promptChars)
            var longest = 0
            for (r, response) in responses.prefix(responseNames.count).enumerated() {
                let n = responseMeasures[r].scalars
                report.fields[1 + r].chars.add(n)
                longest = Swift.max(longest, n)
                if response.isEmpty { report.emptyResponses += 1 }
            }
            if let system = conversation.system { report.fields[systemIndex].chars.add(system.scalarCount) }
            report.fields[totalIndex].chars.add(promptChars + longest)
            report.turns.add(conversation.turns.count + (responseNames.count > 1 ? 1 : 0))
            // (instructionText, the prompt turns joined by newlines, is empty exactly then.)
            let promptTurns = conversation.promptTurns
            if promptTurns.isEmpty || (promptTurns.count == 1 && promptTurns.first!.content.isEmpty) { report.emptyPrompts += 1 }
            report.emptyTurns += conversation.turns.reduce(0) { $0 + ($1.content.isEmpty ? 1 : 0) }
            report.cjkCharacters += promptMeasure.cjkCharacters + responseMeasures.reduce(0) { $0 + $1.cjkCharacters }
            report.latinLetters += promptMeasure.latinLetters + responseMeasures.reduce(0) { $0 + $1.latinLetters }
            var hasher = TextsHasher()
            hasher.combine(prompt)
            for response in responses { hasher.combine(response) }
            if !seen.insert(hasher.value).inserted { report.duplicates += 1 }

            if estimating {
                let promptTokens = promptMeasure.estimatedTokens
                report.fields[0].tokens.add(promptTokens)
                var longestTokens = 0
                for r in 0..<responseNames.count {
                    let n = r < responseMeasures.count ? responseMeasures[r].estimatedTokens : 0
                    report.fields[1 + r].tokens.add(n)
                    longestTokens = Swift.max(longestTokens, n)
                }
                report.fields[totalIndex].tokens.add(promptTokens + longestTokens)
                if let system = conversation.system { report.fields[systemIndex].tokens.add(EstimatedTokenCounter.estimate(system)) }
            } else {
                batch.append(prompt)
                batch.append(contentsOf: responses.prefix(responseNames.count))
                for _ in responses.count..<Swift.max(responses.count, responseNames.count) { batch.append("") }
                shapes.append((1, responseNames.count))
                if shapes.count >= batchSize { try flush() }
            }
            if let onProgress, bytesSeen - lastProgress > (8 << 20) {
                lastProgress = bytesSeen
                onProgress(bytesSeen, size)
            }
        }
        try flush()
        // System prompts: token counts estimated from their share of characters only when exact
        // counting is off; with a tokenizer they are counted in one more pass-free batch.
        if !estimating, report.fields[systemIndex].chars.count > 0 {
            try collectSystemTokens(input, codec: codec, into: &report.fields[systemIndex])
        }
        onProgress?(size, size)
        return report
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

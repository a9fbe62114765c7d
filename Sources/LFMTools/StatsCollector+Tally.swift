import LFMCore

extension StatsCollector {
    /// The per-record rules of `lfm stats`, shared by the one-pass and two-part readings.
    struct Tally {
        let codec: RecordCodec
        let responseNames: [String]
        /// prompt (or text), the responses, system, total.
        let names: [String]
        let systemIndex: Int
        let totalIndex: Int
        /// Token counts from ``TextMeasure`` (else the caller batches texts for a tokenizer).
        let estimating: Bool

        init(input: DatasetInput, estimating: Bool) {
            codec = RecordCodec(spec: input.spec)
            switch input.kind {
            case .preference: responseNames = ["chosen", "rejected"]
            case .pretrain: responseNames = []
            default: responseNames = ["response"]
            }
            names = (input.kind == .pretrain ? ["text"] : ["prompt"]) + responseNames + ["system", "total"]
            systemIndex = names.firstIndex(of: "system")!
            totalIndex = names.count - 1
            self.estimating = estimating
        }

        /// Counts one record into `report` (with the estimated tokens when `estimating`); its
        /// hash goes to `seen` (duplicates are counted at the end: inserted - distinct). Returns the prompt and responses for a tokenizer,
        /// nil for an unreadable record.
        func add(_ record: JSONValue, to report: inout Report, seen: DistinctHashes) -> (prompt: String, responses: [String])? {
            report.records += 1
            guard let conversation = try? codec.decode(record, keepingExtras: false) else {
                report.unreadable += 1
                return nil
            }
            let prompt = conversation.promptText
            let responses = conversation.responses
            // perf: each text is measured in one pass (``TextMeasure``: scalars, scripts, tokens)
            // and its tokens are added at once, system prompts included; only a real tokenizer
            // needs the batches (and a second pass for system prompts).
            let promptMeasure = TextMeasure(prompt)
            let promptChars = promptMeasure.scalars
            report.fields[0].chars.add(promptChars)
            var longest = 0
            var cjk = promptMeasure.cjkCharacters, latin = promptMeasure.latinLetters
            // perf: the responses' estimated tokens (at most two: chosen and rejected), no array.
            var responseTokens = (0, 0)
            for (r, response) in responses.enumerated() {
                let measure = TextMeasure(response)
                cjk += measure.cjkCharacters
                latin += measure.latinLetters
                guard r < responseNames.count else { continue }
                let n = measure.scalars
                report.fields[1 + r].chars.add(n)
                longest = Swift.max(longest, n)
                if response.isEmpty { report.emptyResponses += 1 }
                if r == 0 { responseTokens.0 = measure.estimatedTokens } else { responseTokens.1 = measure.estimatedTokens }
            }
            if let system = conversation.system { report.fields[systemIndex].chars.add(system.scalarCount) }
            report.fields[totalIndex].chars.add(promptChars + longest)
            report.turns.add(conversation.turns.count + (responseNames.count > 1 ? 1 : 0))
            // (instructionText, the prompt turns joined by newlines, is empty exactly then.)
            let promptTurns = conversation.promptTurns
            if promptTurns.isEmpty || (promptTurns.count == 1 && promptTurns.first!.content.isEmpty) { report.emptyPrompts += 1 }
            report.emptyTurns += conversation.turns.reduce(0) { $0 + ($1.content.isEmpty ? 1 : 0) }
            report.cjkCharacters += cjk
            report.latinLetters += latin
            var hasher = TextsHasher()
            hasher.combine(prompt)
            for response in responses { hasher.combine(response) }
            seen.insert(hasher.value)

            if estimating {
                let promptTokens = promptMeasure.estimatedTokens
                report.fields[0].tokens.add(promptTokens)
                var longestTokens = 0
                for r in 0..<responseNames.count {
                    let n = r == 0 ? responseTokens.0 : responseTokens.1
                    report.fields[1 + r].tokens.add(n)
                    longestTokens = Swift.max(longestTokens, n)
                }
                report.fields[totalIndex].tokens.add(promptTokens + longestTokens)
                if let system = conversation.system { report.fields[systemIndex].tokens.add(EstimatedTokenCounter.estimate(system)) }
            }
            return (prompt, responses)
        }
    }

    /// One half of a two-part reading: its own report and duplicate hashes.
    final class Part {
        var report: Report
        let seen: DistinctHashes
        init(_ report: Report, limits: DistinctHashes.Limits) {
            self.report = report
            seen = DistinctHashes(limits: limits)
        }
    }

    /// The report of a large file read as two halves on two cores, merged into exactly the
    /// one-pass report: counts and sums add, length distributions merge (their exact values in
    /// record order, ``LengthDistribution/merge(_:)``), and a duplicate is a record whose hash
    /// was seen earlier in the file: all records hashed less the distinct hashes of both halves
    /// (``DistinctHashes``, bounded in memory). Nil: one pass.
    func collectInParts(_ input: DatasetInput, empty: Report, tally: Tally) -> Report? {
        guard let (head, tail) = TwoPartReader.run(
            path: input.path, layoutHint: input.layoutHint, minimumSize: partsMinimumSize,
            makePart: { _ in Part(empty, limits: hashLimits) },
            body: { part, _, record in _ = tally.add(record, to: &part.report, seen: part.seen) },
            progress: onProgress)
        else { return nil }
        var report = head.report
        let other = tail.report
        report.records += other.records
        report.unreadable += other.unreadable
        for i in report.fields.indices {
            report.fields[i].chars.merge(other.fields[i].chars)
            report.fields[i].tokens.merge(other.fields[i].tokens)
        }
        report.turns.merge(other.turns)
        report.emptyPrompts += other.emptyPrompts
        report.emptyResponses += other.emptyResponses
        report.emptyTurns += other.emptyTurns
        report.cjkCharacters += other.cjkCharacters
        report.latinLetters += other.latinLetters
        guard let distinct = DistinctHashes.distinct([head.seen, tail.seen]) else { return nil }
        report.duplicates = head.seen.inserted + tail.seen.inserted - distinct
        return report
    }
}

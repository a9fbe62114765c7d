import LFMCore

/// Turns one chunk into journal records: asks, parses, asks again when the reply is unusable,
/// adds rejected answers for preference pairs, formats and validates.
struct ChunkWorker: Sendable {
    enum Outcome: Sendable {
        case done(JournalEntry)
        case failed(reply: String?, hint: String, usage: TokenUsage)
        case fatal(ChatError)
        case cancelled
    }

    let options: GenerateOptions
    let prompts: PromptBuilder
    let client: ChatClient
    let validator: any RecordValidating
    let formatter: RecordFormatter

    func process(_ chunk: Chunk) async -> Outcome {
        var usage = TokenUsage()
        var lastReply: String? = nil
        var hint = "no usable records"
        let messages = prompts.messages(for: chunk)
        let estimated = TokenEstimator.estimate(messages) + options.perChunk * TokenEstimator.tokensPerRecord
        for _ in 0..<options.replyAttempts {
            let reply: ChatReply
            do {
                reply = try await client.complete(model: options.model, messages: messages, temperature: options.temperature, estimatedTokens: estimated)
            } catch {
                if error == .cancelled { return .cancelled }
                if error.isFatal { return .fatal(error) }
                return .failed(reply: lastReply, hint: "request failed: \(error.description)", usage: usage)
            }
            usage = usage + reply.usage
            let parsed = ReplyParser.parse(reply.content)
            guard !parsed.examples.isEmpty else {
                lastReply = reply.content
                hint = ReplyParser.failureHint(reply: reply.content, finishReason: reply.finishReason)
                continue
            }
            var examples = parsed.examples
            if options.format.preference {
                switch await addRejected(&examples, chinese: prompts.isChinese(chunk.text), usage: &usage) {
                case .some(let outcome): return outcome
                case .none: break
                }
            }
            var records: [JSONValue] = []
            var invalid = 0
            for example in examples {
                let record = formatter.record(example)
                if validator.problems(in: record, format: options.format).isEmpty { records.append(record) } else { invalid += 1 }
            }
            if records.isEmpty {
                lastReply = reply.content
                hint = "every record failed validation (\(invalid) invalid)"
                continue
            }
            return .done(JournalEntry(chunkId: chunk.id, source: chunk.source, records: records, usage: usage,
                                      invalid: invalid, unusable: parsed.rejected.count))
        }
        return .failed(reply: lastReply, hint: hint, usage: usage)
    }

    /// Asks the same questions without the chunk and attaches the answers as `rejected`.
    /// Returns an outcome only when the chunk must stop here.
    private func addRejected(_ examples: inout [Example], chinese: Bool, usage: inout TokenUsage) async -> Outcome? {
        let messages = prompts.rejectedMessages(for: examples, chinese: chinese)
        let reply: ChatReply
        do {
            reply = try await client.complete(model: options.rejectedModel ?? options.model, messages: messages,
                                              temperature: options.temperature,
                                              estimatedTokens: TokenEstimator.estimate(messages) + examples.count * TokenEstimator.tokensPerRecord)
        } catch {
            if error == .cancelled { return .cancelled }
            if error.isFatal { return .fatal(error) }
            return .failed(reply: nil, hint: "rejected-answer request failed: \(error.description)", usage: usage)
        }
        usage = usage + reply.usage
        let answers = ReplyParser.parseAnswers(reply.content)
        for i in examples.indices where i < answers.count {
            examples[i].rejected = answers[i]
        }
        if answers.isEmpty {
            return .failed(reply: reply.content, hint: "rejected-answer reply held no JSON array of answers: " + ReplyParser.failureHint(reply: reply.content, finishReason: reply.finishReason), usage: usage)
        }
        return nil
    }
}

import Foundation
import LFMCore
import LFMSystem

/// Runs `lfm generate`: documents → chunks → chat requests (bounded concurrency) → parsed,
/// validated records → journal → deduplicated output, written atomically.
public final class Generator: Sendable {
    public let options: GenerateOptions
    private let validator: any RecordValidating
    private let transport: (any HTTPTransport)?

    /// `transport` nil = libcurl (`CurlTransport`). `validator` defaults to LFMCore's rules (CoreRecordValidator).
    public init(options: GenerateOptions, validator: any RecordValidating = CoreRecordValidator(), transport: (any HTTPTransport)? = nil) {
        self.options = options
        self.validator = validator
        self.transport = transport
    }

    struct Prepared {
        var loaded: DocumentLoader.Result
        var chunks: [Chunk]
        var prompts: PromptBuilder
    }

    private func prepare() async throws(GenerateError) -> Prepared {
        let loaded = await DocumentLoader(searchPath: options.environment["PATH"]).load(options.inputs)
        guard !loaded.documents.isEmpty else { throw .noDocuments(skipped: loaded.skipped.count) }
        var seen = Set<String>()
        let chunks = Chunker(targetSize: options.chunkSize, overlap: options.chunkOverlap).chunks(of: loaded.documents)
            .filter { seen.insert($0.id).inserted }  // identical text under identical headings: once
        let template = try options.promptTemplatePath.map { path throws(GenerateError) in try PromptBuilder.loadTemplate(path: path) }
        let prompts = PromptBuilder(format: options.format, perChunk: options.perChunk, language: options.language, userTemplate: template)
        return Prepared(loaded: loaded, chunks: chunks.enumerated().map { var c = $1; c.index = $0; return c }, prompts: prompts)
    }

    // MARK: Preview

    /// Files, chunks, requests and a token estimate; no API call, no state written.
    public func preview() async throws(GenerateError) -> GeneratePreview {
        try options.validate(needsModel: false)
        let prepared = try await prepare()
        var perFile: [String: (chars: Int, chunks: Int)] = [:]
        for document in prepared.loaded.documents { perFile[document.path] = (document.characterCount, 0) }
        var promptTokens = 0
        var completionTokens = 0
        for chunk in prepared.chunks {
            perFile[chunk.source]?.chunks += 1
            let (p, c) = estimate(chunk, prompts: prepared.prompts)
            promptTokens += p
            completionTokens += c
        }
        var done = 0
        if let data = FileManager.default.contents(atPath: options.stateDirectory + "/journal.jsonl"), !options.fresh {
            let text = String(decoding: data, as: UTF8.self)
            let ids = Set(prepared.chunks.map(\.id))
            done = text.split(separator: "\n").filter { line in
                guard let id = (try? JSONParser.parse(String(line)))?["chunk"]?.stringValue else { return false }
                return ids.contains(id)
            }.count
        }
        let sizes = prepared.chunks.map(\.characterCount)
        return GeneratePreview(
            files: prepared.loaded.documents.map { GeneratePreview.File(path: $0.path, characters: perFile[$0.path]?.chars ?? 0, chunks: perFile[$0.path]?.chunks ?? 0) },
            skippedDocuments: prepared.loaded.skipped,
            chunks: prepared.chunks.count,
            averageChunkCharacters: sizes.isEmpty ? 0 : sizes.reduce(0, +) / sizes.count,
            largestChunkCharacters: sizes.max() ?? 0,
            chunksAlreadyDone: done,
            requests: prepared.chunks.count * (options.format.preference ? 2 : 1),
            estimatedPromptTokens: promptTokens,
            estimatedCompletionTokens: completionTokens,
            estimationMethod: TokenEstimator.method,
            baseURL: Self.safeURL(options.resolvedBaseURL),
            format: options.format.description
        )
    }

    /// Estimated (prompt, completion) tokens of one chunk's requests.
    func estimate(_ chunk: Chunk, prompts: PromptBuilder) -> (Int, Int) {
        var prompt = TokenEstimator.estimate(prompts.messages(for: chunk))
        var completion = options.perChunk * TokenEstimator.tokensPerRecord
        if options.format.preference {
            prompt += 60 + options.perChunk * 30
            completion += options.perChunk * TokenEstimator.tokensPerRecord
        }
        return (prompt, completion)
    }

    // MARK: Run

    /// Generates the dataset. Resumes from the state folder unless `options.fresh`.
    /// Cancelling the task stops new requests; finished chunks stay in the journal, and the
    /// output file is not written (it throws `CancellationError`).
    /// `progress` is called serially from a background queue: once at the start, then after
    /// each chunk is journaled (or recorded as failed).
    public func run(progress: (@Sendable (GenerateProgress) -> Void)? = nil) async throws -> GenerateSummary {
        let start = Date()
        try options.validate(needsModel: true)
        let prepared = try await prepare()
        let apiKey = options.environment[options.apiKeyEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        if apiKey == nil, URL(string: options.resolvedBaseURL)?.host == "api.openai.com" {
            throw GenerateError.missingAPIKey(variable: options.apiKeyEnvironmentVariable)
        }
        if transport == nil { try CurlTransport.require() }  // no libcurl: refuse before writing the journal
        let outputDirectory = (options.outputPath as NSString).deletingLastPathComponent
        if !outputDirectory.isEmpty {
            try? FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        }
        let journal = try GenerationJournal(directory: options.stateDirectory, fresh: options.fresh)
        defer { journal.close() }
        var warnings = settingsWarnings(journal: journal, prompts: prepared.prompts)
        try journal.saveSettings(settings(prompts: prepared.prompts))
        if journal.ignoredLines > 0 {
            warnings.append("ignored \(journal.ignoredLines) unreadable journal line(s) (an interrupted write); those chunks are generated again")
        }

        var configuration = ChatClientConfiguration(baseURL: options.resolvedBaseURL, apiKey: apiKey)
        configuration.concurrency = options.concurrency
        configuration.requestsPerMinute = options.requestsPerMinute
        configuration.tokensPerMinute = options.tokensPerMinute
        configuration.timeout = options.requestTimeout
        configuration.maxAttempts = options.maxAttempts
        configuration.retryBaseDelay = options.retryBaseDelay
        configuration.retryMaxDelay = options.retryMaxDelay
        configuration.maxTokens = options.maxTokens
        let client = try ChatClient(configuration: configuration, transport: transport)

        let chunks = prepared.chunks
        let pending = chunks.filter { journal.completed[$0.id] == nil }
        let resumed = chunks.count - pending.count
        let tracker = ProgressTracker(total: chunks.count, resumed: resumed, records: chunks.reduce(0) { $0 + (journal.completed[$1.id]?.records.count ?? 0) }, start: start, callback: progress)
        tracker.report()

        let worker = ChunkWorker(options: options, prompts: prepared.prompts, client: client, validator: validator,
                                 formatter: RecordFormatter(format: options.format, systemPrompt: options.recordSystemPrompt))
        var fatal: ChatError? = nil
        // Journal writes (write + fsync) run on their own serial queue: they never block the
        // cooperative thread pool, and a finished slot gets its next request at once.
        let writer = DispatchQueue(label: "lfm.generate.journal")
        let writeError = Locked<(any Error)?>(nil)
        var failureCauses: [String] = []  // one per chunk that failed in this run, in order
        await withTaskGroup(of: (Chunk, ChunkWorker.Outcome).self) { group in
            var iterator = pending.makeIterator()
            func addNext() -> Bool {
                guard let chunk = iterator.next() else { return false }
                group.addTask { (chunk, await worker.process(chunk)) }
                return true
            }
            for _ in 0..<options.concurrency where !addNext() { break }
            while let (chunk, outcome) = await group.next() {
                switch outcome {
                case .done(let entry):
                    writer.async {
                        do { try journal.append(entry) } catch { writeError.withLock { $0 = $0 ?? error } }
                        tracker.chunkDone(records: entry.records.count, usage: entry.usage)
                    }
                case .failed(let reply, let hint, let usage):
                    let redactedReply = reply.map(client.redact)
                    let redactedHint = client.redact(hint)
                    failureCauses.append(redactedHint)
                    writer.async {
                        do { try journal.recordFailure(chunk: chunk, reply: redactedReply, hint: redactedHint) } catch { writeError.withLock { $0 = $0 ?? error } }
                        tracker.chunkFailed(usage: usage)
                    }
                case .fatal(let error):
                    fatal = error
                    group.cancelAll()
                case .cancelled:
                    break
                }
                if writeError.current != nil { group.cancelAll() }
                if fatal == nil && writeError.current == nil && !Task.isCancelled { _ = addNext() }
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in writer.async { done.resume() } }
        if let fatal { throw GenerateError.fatalAPI(client.redact(fatal.description)) }
        if let ioError = writeError.current { throw ioError }
        try Task.checkCancellation()

        // Assemble the output in document order from the journal.
        var dedupe = Deduplicator()
        var records: [JSONValue] = []
        var invalid = 0, unusable = 0
        var usageTotal = TokenUsage()
        for chunk in chunks {
            guard let entry = journal.completed[chunk.id] else { continue }
            invalid += entry.invalid
            unusable += entry.unusable
            usageTotal = usageTotal + entry.usage
            for record in entry.records where dedupe.admit(RecordFormatter.promptText(of: record, format: options.format)) {
                records.append(record)
            }
        }
        try writeOutput(records)
        let failed = chunks.filter { journal.completed[$0.id] == nil }.count
        let stats = client.statistics
        let snapshot = tracker.snapshot
        return GenerateSummary(
            outputPath: options.outputPath, format: options.format.description, model: options.model,
            documents: prepared.loaded.documents.count, skippedDocuments: prepared.loaded.skipped,
            chunksTotal: chunks.count, chunksResumed: resumed, chunksGenerated: chunks.count - resumed - failed,
            chunksFailed: failed, recordsWritten: records.count, invalidRecords: invalid, unusableItems: unusable,
            exactDuplicatesRemoved: dedupe.exactDuplicates, normalizedDuplicatesRemoved: dedupe.normalizedDuplicates,
            usage: snapshot.usage, usageTotal: usageTotal, requests: stats.requests, retries: stats.retries,
            elapsedSeconds: Date().timeIntervalSince(start), warnings: warnings,
            failures: GenerateFailure.grouped(failureCauses),
            stateDirectory: journal.directory, failedDirectory: journal.failedDirectory)
    }

    /// JSON array (indent 2) or JSON Lines when the path ends in `.jsonl`; atomic replace.
    func writeOutput(_ records: [JSONValue]) throws(GenerateError) {
        var bytes: [UInt8] = []
        if options.outputPath.lowercased().hasSuffix(".jsonl") {
            let printer = JSONPrinter(indent: nil)
            for record in records {
                printer.write(record, level: 0, into: &bytes)
                bytes.append(0x0A)
            }
        } else {
            bytes = JSONPrinter(indent: 2).bytes(.array(records))
            bytes.append(0x0A)
        }
        do { try AtomicFile.write(bytes, to: options.outputPath) } catch { throw .io("\(error)") }
    }

    // MARK: Settings

    func settings(prompts: PromptBuilder) -> JSONObject {
        var object = JSONObject()
        object["format"] = .string(options.format.description)
        object["model"] = .string(options.model)
        if let rejected = options.rejectedModel { object["rejected_model"] = .string(rejected) }
        object["base_url"] = .string(Self.safeURL(options.resolvedBaseURL))
        object["per_chunk"] = .int(options.perChunk)
        object["chunk_size"] = .int(options.chunkSize)
        object["chunk_overlap"] = .int(options.chunkOverlap)
        object["language"] = .string(options.language.rawValue)
        object["temperature"] = .number(String(options.temperature))
        object["prompt_template_sha256"] = prompts.userTemplate.map { .string(SHA256Digest.hex($0)) } ?? .null
        object["record_system_prompt"] = options.recordSystemPrompt.map { .string($0) } ?? .null
        return object
    }

    func settingsWarnings(journal: GenerationJournal, prompts: PromptBuilder) -> [String] {
        guard let previous = journal.loadSettings(), !journal.completed.isEmpty else { return [] }
        let current = settings(prompts: prompts)
        var changed: [String] = []
        for member in current.members where previous[member.key] != member.value {
            let before = previous[member.key].map { JSONPrinter(indent: nil).string($0) } ?? "unset"
            changed.append("\(member.key): \(before) → \(JSONPrinter(indent: nil).string(member.value))")
        }
        guard !changed.isEmpty else { return [] }
        return ["resuming a run made with different options (\(changed.joined(separator: ", "))); chunks already done keep their old records; use --fresh to start over"]
    }

    /// The URL without user info, query or fragment (never store credentials).
    static func safeURL(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(unparseable URL)" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "(unparseable URL)"
    }
}

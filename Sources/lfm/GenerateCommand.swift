import ArgumentParser
import Foundation
import LFMCore
import LFMGenerate

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Build a fine-tuning dataset from your documents with any OpenAI-compatible API.",
        discussion: """
        Reads .docx, .md, .txt, .html and .pdf (via pdftotext) files or folders, cuts them into heading-aware chunks, asks a chat model for records about each chunk, checks every record with the same rules as `lfm register`, removes duplicates, and writes a JSON (or .jsonl) file.

        Progress is journaled in <out>.lfm-state/: after a crash or Ctrl-C, run the same command again and finished chunks are skipped (--fresh starts over).

        The API key comes from OPENAI_API_KEY (or --api-key-env NAME) and is never printed or written to disk. --base-url picks the OpenAI-compatible server:
          OpenAI    https://api.openai.com/v1 (default, or OPENAI_BASE_URL)
          DeepSeek  https://api.deepseek.com/v1
          Qwen      https://dashscope.aliyuncs.com/compatible-mode/v1
          vLLM      http://localhost:8000/v1
          Ollama    http://localhost:11434/v1

        When chunks fail, the cause (DNS, connection refused, TLS, the provider's message) is printed once; 401, 403 and 404 stop the run at once.

        Examples:
          lfm generate notes.docx handbook.md --out mydata.json \\
            --model gpt-4o-mini --register
          lfm generate docs/ --out prefs.json --format alpaca-preference \\
            --model deepseek-chat --base-url https://api.deepseek.com/v1 \\
            --api-key-env DEEPSEEK_API_KEY
          # no API calls: files, chunks, requests, tokens
          lfm generate docs/ --out mydata.json --preview
        """)

    @Argument(help: "Documents or folders (searched recursively).")
    var inputs: [String]

    @Option(name: .long, help: "Output file: .json (array) or .jsonl.")
    var out: String

    @Option(help: "Record format: alpaca, sharegpt, openai, or any of them with -preference (DPO pairs).")
    var format: String = "alpaca"

    @Option(help: "Chat model name (e.g. gpt-4o-mini, deepseek-chat, qwen-plus).")
    var model: String?

    @Option(help: "API base URL (default: OPENAI_BASE_URL, then https://api.openai.com/v1).")
    var baseURL: String?

    @Option(help: "Environment variable that holds the API key.")
    var apiKeyEnv: String = "OPENAI_API_KEY"

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 8

    @Option(help: "Requests per minute limit.")
    var rpm: Int?

    @Option(help: "Tokens per minute limit (estimated).")
    var tpm: Int?

    @Option(help: "Per-request timeout in seconds.")
    var timeout: Double = 120

    @Option(help: "HTTP attempts per request (retries on 429, 5xx, timeouts, honouring Retry-After).")
    var maxAttempts: Int = 5

    @Option(help: "Target chunk size in characters.")
    var chunkSize: Int = 2000

    @Option(help: "Overlap between chunks in characters.")
    var overlap: Int = 0

    @Option(help: "Records to ask for per chunk.")
    var perChunk: Int = 5

    @Option(help: "Prompt language: auto, english, chinese.")
    var language: String = "auto"

    @Option(help: ArgumentHelp("Your own prompt template.", discussion: "Placeholders: {text}, {heading}, {n}, {format}, {source}."))
    var prompt: String?

    @Option(help: "System prompt to put into every generated record.")
    var system: String?

    @Option(help: "Model that writes the rejected answers of preference pairs (default: --model, without the chunk).")
    var rejectedModel: String?

    @Option(help: "Sampling temperature.")
    var temperature: Double = 0.7

    @Option(help: "max_tokens per reply.")
    var maxTokens: Int?

    @Flag(name: [.long, .customLong("dry-run")], help: "Show files, chunks, requests and a token estimate; call no API.")
    var preview = false

    @Flag(help: "Discard the journal of an earlier run and start over.")
    var fresh = false

    @Flag(help: "Register the output in the workspace when done (validated like `lfm register`).")
    var register = false

    @Option(help: "Registry name for --register (default: the output file name).")
    var name: String?

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if GenerateFormat(name: format) == nil {
            throw ValidationError("unknown format \"\(format)\"; use alpaca, sharegpt or openai, optionally with -preference")
        }
        if PromptLanguage(rawValue: language) == nil {
            throw ValidationError("unknown language \"\(language)\"; use auto, english or chinese")
        }
        if !preview && (model ?? "").isEmpty {
            throw ValidationError("--model is required (or use --preview to plan without calling the API)")
        }
    }

    func run() async throws {
        let cwd = FileManager.default.currentDirectoryPath
        var options = GenerateOptions(inputs: inputs.map { Workspace.absolute($0, from: cwd) }, outputPath: Workspace.absolute(out, from: cwd))
        options.format = GenerateFormat(name: format)!
        options.model = model ?? ""
        options.baseURL = baseURL
        options.apiKeyEnvironmentVariable = apiKeyEnv
        options.concurrency = concurrency
        options.requestsPerMinute = rpm
        options.tokensPerMinute = tpm
        options.requestTimeout = timeout
        options.maxAttempts = maxAttempts
        options.chunkSize = chunkSize
        options.chunkOverlap = overlap
        options.perChunk = perChunk
        options.language = PromptLanguage(rawValue: language)!
        options.promptTemplatePath = prompt.map { Workspace.absolute($0, from: cwd) }
        options.recordSystemPrompt = system
        options.rejectedModel = rejectedModel
        options.temperature = temperature
        options.maxTokens = maxTokens
        options.fresh = fresh
        let generator = Generator(options: options, validator: CoreRecordValidator())

        if preview {
            let plan = try await generator.preview()
            if output.json { try Terminal.json(plan); return }
            GenerateReport.printPreview(plan)
            return
        }

        // Resolve the workspace before spending money, so --register cannot fail at the end.
        let workspace = try register ? workspaceOptions.workspace() : nil
        let bar = ProgressBar(label: "generating")
        let task = Task {
            try await generator.run { progress in
                let eta = progress.etaSeconds.map { "ETA \(GenerateReport.duration($0))" } ?? ""
                bar.update(done: progress.chunksDone, total: progress.chunksTotal,
                           detail: "\(progress.chunksDone)/\(progress.chunksTotal) chunks  \(progress.records) records  \(progress.chunksFailed) failed  \(progress.usage.totalTokens) tokens  \(eta)")
            }
        }
        let interrupt = InterruptHandler { task.cancel() }
        defer { interrupt.stop() }
        let summary: GenerateSummary
        do {
            summary = try await task.value
            bar.finish()
        } catch is CancellationError {
            bar.finish()
            Terminal.err("interrupted: finished chunks are saved in \(options.stateDirectory); run the same command again to resume")
            throw Exit.interrupted
        } catch {
            bar.finish()
            if interrupt.fired {
                Terminal.err("interrupted: finished chunks are saved in \(options.stateDirectory); run the same command again to resume")
                throw Exit.interrupted
            }
            throw error
        }

        var registered: Registrar.Outcome?
        if let workspace, summary.recordsWritten > 0 {
            var request = Registrar.Request(source: options.outputPath, currentDirectory: FileManager.default.currentDirectoryPath)
            request.name = name
            do {
                registered = try Registrar(workspace: workspace).register(request)
            } catch {
                if output.json { try Terminal.json(summary) }
                // The records are kept: the hint is the command that registers them once the cause is fixed.
                let reason = (error as? UserFacingError)?.errorMessage ?? "\(error)"
                let fix = (error as? UserFacingError)?.hint.map { " (\($0))" } ?? " once that is fixed"
                throw CommandFailure("generated \(summary.recordsWritten) records in \(summary.outputPath), but registering failed: \(reason)",
                                     hint: "register them with: lfm register \(out)" + (name.map { " --name \($0)" } ?? "") + fix)
            }
        }
        if output.json {
            try Terminal.json(summary)
            if summary.recordsWritten == 0 {
                GenerateReport.printFailures(summary)
                throw Exit.failure  // the same exit code as without --json
            }
            return
        }
        GenerateReport.printSummary(summary)
        if let registered {
            Terminal.out(Terminal.paint("✔ ", .green) + "Registered \"\(registered.name)\" in \(workspace!.registry.path)")
            Terminal.out("Next: lfm train --dataset \(registered.name) --model MODEL")
        } else if summary.recordsWritten > 0 {
            Terminal.out("Next: lfm register \(out)")
        }
        if summary.recordsWritten == 0 { throw Exit.failure }
    }
}

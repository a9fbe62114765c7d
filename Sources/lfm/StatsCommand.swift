import ArgumentParser
import Foundation
import LFMCore
import LFMTools
import LFMTrain

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Length distributions, a suggested cutoff_len, turns, empty fields, duplicates, language mix.",
        usage: "lfm stats [<options>] <input>",
        discussion: """
        Lengths are given in characters and tokens. Tokens are exact with --tokenizer (a model \
        directory or Hugging Face id, counted by the model's own tokenizer in your LLaMA-Factory \
        Python: --python, else --env / the workspace env / the active conda env or venv, else \
        python3); otherwise they are estimated and \
        the method is printed. "total" is prompt (system, tools, earlier turns) plus the longest \
        response: what cutoff_len must hold.

          lfm stats alpaca_en_demo
          lfm stats chats.jsonl --tokenizer Qwen/Qwen3-4B --cutoff-len 2048
          lfm stats data.json --json
        """)

    @Argument(help: "A data file or the name of a registered dataset.")
    var input: String

    @Option(help: "Report the share of records this cutoff_len would truncate.")
    var cutoffLen: Int?

    @Option(help: "Tokenizer for exact counts: a model directory or a Hugging Face id.")
    var tokenizer: String?

    @Option(help: "The Python with transformers (your LLaMA-Factory environment).")
    var python: String?

    @Option(help: ArgumentHelp("Conda env name or prefix, or a venv, whose Python counts tokens.", valueName: "name|path"))
    var env: String?

    @Option(help: "Input format, when detection needs help.")
    var format: String?

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var tableOptions: TableOptions

    func validate() throws {
        if let cutoffLen, cutoffLen <= 0 { throw ValidationError("--cutoff-len must be positive") }
    }

    func run() async throws {
        // The tokenizer runs in the user's LLaMA-Factory environment, found as `lfm train` finds it.
        var pythonPath = python
        if tokenizer != nil, pythonPath == nil {
            let configured = (try? workspaceOptions.workspace())?.config.env
            let resolved = try await EnvironmentResolver().resolve(flag: env, configured: configured)
            pythonPath = resolved.prefix.map { $0 + "/bin/python" }
        }
        let source = try ToolPrinter.resolve(input, format: format, workspace: workspaceOptions)
        let counter: TokenCounter
        if let tokenizer {
            counter = try PythonTokenCounter(tokenizer: tokenizer, python: PythonTokenCounter.findPython(explicit: pythonPath, env: nil))
        } else {
            counter = EstimatedTokenCounter()
        }
        let progress = ProgressBar(label: "reading")
        let report = try StatsCollector(counter: counter) { progress.update(done: $0, total: $1) }.collect(source, cutoffLen: cutoffLen)
        progress.finish()
        if output.json { try Terminal.json(StatsDocument(report)) } else { Self.print(report, width: tableOptions.width) }
    }

    static let percentiles: [Double] = [50, 90, 99]

    /// The report in `width` columns (nil: lines as long as they come).
    static func print(_ r: StatsCollector.Report, width: Int? = nil) {
        Terminal.out(width.map { TextTable.shorten(r.path, to: $0, .middle) } ?? r.path)
        Terminal.out("  format:  \(r.format)")
        Terminal.out(Terminal.wrap("  records: \(r.records)\(r.unreadable > 0 ? " (\(r.unreadable) unreadable by LLaMA-Factory's converter, not counted below)" : "")", width: width, indent: 11))
        Terminal.out(Terminal.wrap("  tokens:  \(r.tokenMethod)", width: width, indent: 11))
        Terminal.out()
        var rows: [[String]] = []
        for field in r.fields where field.chars.count > 0 {
            for (unit, d) in [("chars", field.chars), ("tokens", field.tokens)] where d.count > 0 {
                let p = d.percentiles(percentiles)
                rows.append([field.name, unit, "\(d.min)", "\(p[0])", "\(p[1])", "\(p[2])", "\(d.max)", String(format: "%.0f", d.mean)])
            }
        }
        Terminal.out(TextTable([.init("field", elide: .end, minWidth: 12), .init("unit")]
            + ["min", "median", "p90", "p99", "max", "mean"].map { .init($0, rightAligned: true) }, rows).render(width: width))
        if let total = r.field("total"), total.tokens.count > 0 {
            Terminal.out()
            Terminal.out("total tokens per record:")
            for line in histogram(total.tokens, cutoff: r.cutoffLen) { Terminal.out("  " + line) }
            Terminal.out()
            if let cutoff = r.cutoffLen {
                let over = total.tokens.countAbove(cutoff)
                Terminal.out(String(format: "cutoff_len %d truncates %d of %d records (%.1f%%)", cutoff, over, total.tokens.count, 100 * r.truncatedShare(at: cutoff)))
            }
            let suggested = r.suggestedCutoff
            Terminal.out(Terminal.wrap(Terminal.paint("suggested cutoff_len: \(suggested)", .bold)
                + String(format: " (p99 total %d tokens + template margin; truncates %.1f%%)", total.tokens.percentile(99), 100 * r.truncatedShare(at: suggested)),
                width: width, indent: 2))
        }
        Terminal.out()
        let t = r.turns.percentiles([50, 99])
        Terminal.out("turns per conversation: min \(r.turns.min == Int.max ? 0 : r.turns.min), median \(t[0]), p99 \(t[1]), max \(r.turns.max)")
        Terminal.out("empty: \(r.emptyPrompts) prompts, \(r.emptyResponses) responses, \(r.emptyTurns) turns")
        Terminal.out("exact duplicates: \(r.duplicates)\(r.duplicates > 0 ? " (lfm dedupe finds normalized and near duplicates too)" : "")")
        Terminal.out(String(format: "language mix: %.0f%% CJK, %.0f%% Latin (of %d letters)", 100 * r.cjkShare, r.cjkCharacters + r.latinLetters == 0 ? 0 : 100 - 100 * r.cjkShare, r.cjkCharacters + r.latinLetters))
    }

    /// Power-of-two bins with bars; the bin holding `cutoff` is marked.
    static func histogram(_ d: LengthDistribution, cutoff: Int?, width: Int = 40) -> [String] {
        guard let first = d.bins.firstIndex(where: { $0 > 0 }), let last = d.bins.lastIndex(where: { $0 > 0 }) else { return [] }
        let peak = d.bins.max() ?? 1
        func range(_ k: Int) -> String { k == 0 ? "0" : "\(1 << (k - 1))–\((1 << k) - 1)" }
        let labels = (first...last).map(range)
        let labelWidth = labels.map(\.count).max() ?? 0
        let countWidth = String(d.bins.max() ?? 0).count
        return (first...last).map { k in
            let n = d.bins[k]
            let bar = String(repeating: "█", count: n == 0 ? 0 : max(1, n * width / peak))
            let label = range(k).padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            let count = String(repeating: " ", count: countWidth - String(n).count) + String(n)
            var mark = ""
            if let cutoff, k > 0, cutoff >= 1 << (k - 1), cutoff < 1 << k { mark = "  ← cutoff_len \(cutoff)" }
            return "\(label)  \(count)  \(bar)\(mark)"
        }
    }
}

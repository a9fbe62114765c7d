import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a run's adapter against its base model on held-out questions (BLEU-4, ROUGE).",
        usage: "lfm eval [<options>] [<run>]",
        discussion: """
        lfm renders two predict configs from the `predict` template (predict-adapter.yaml and \
        predict-base.yaml in the run directory: same template, cutoff_len and greedy decoding; \
        only the adapter differs), runs `llamafactory-cli train` on each in the run's env, and \
        writes eval.md and eval.html beside them. The scores and the dataset's SHA-256 go into \
        run.json (`lfm runs`, `lfm status`, `lfm compare` show them).

        The default dataset is the held-out part of the training data: for a run trained on \
        NAME_train, the NAME_val that `lfm split NAME --val 0.1 --register` registered. Data \
        the run trained on is refused (by name or by SHA-256) unless --allow-train-data.

        LLaMA-Factory needs jieba, nltk and rouge-chinese for the scores; lfm says how to \
        install them when they are missing.

        Examples:
          lfm eval last
          lfm eval sft-llama --dataset support_val --max-samples 50
          lfm eval last --no-base --json
        """)

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Option(help: ArgumentHelp("Registered dataset(s) to score on, comma-separated (default: the run's NAME_val).", valueName: "name"))
    var dataset: String?
    @Option(name: .customLong("max-samples"), help: "Score at most N questions per dataset (max_samples).") var maxSamples: Int?
    @Option(name: .customLong("max-new-tokens"), help: "Longest answer generated (default: the template's, 512).") var maxNewTokens: Int?
    @Option(help: "Questions shown in eval.md/eval.html.") var samples: Int = 5
    @Flag(name: .customLong("no-base"), help: "Skip the base model (no comparison, half the time).") var noBase = false
    @Flag(name: .customLong("allow-train-data"), help: "Score on data the run trained on anyway.") var allowTrainData = false
    @Option(help: ArgumentHelp("Conda env name or prefix, or a venv (default: the run's).", valueName: "name|path")) var env: String?
    @Flag(name: .customLong("dry-run"), help: "Print the predict YAMLs and commands; run nothing.") var dryRun = false
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let maxSamples, maxSamples < 1 { throw ValidationError("--max-samples must be at least 1") }
        if let maxNewTokens, maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
        if samples < 0 { throw ValidationError("--samples must be 0 or more") }
    }

    func run() async throws {
        let ctx = try await RunLaunchContext.load(run: runRef, env: env, workspace: try workspaceOptions.workspace(), dryRun: dryRun,
                                                  currentDirectory: FileManager.default.currentDirectoryPath)
        for warning in ctx.warnings { Terminal.warning(warning) }
        var request = EvalRequest()
        request.datasets = (dataset ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        request.maxSamples = maxSamples
        request.maxNewTokens = maxNewTokens
        request.base = !noBase
        request.allowTrainData = allowTrainData
        let plan = try EvalPlanner(builder: TrainConfigBuilder.standard(workspace: ctx.workspace))
            .plan(run: ctx.info, trainConfig: try ctx.trainConfig(), request: request)
        for note in plan.notes { Terminal.note(note) }
        do { try MetricPackages.check(environment: ctx.environment, cli: ctx.cli) } catch {
            if !dryRun { throw error }
            Terminal.warning("a real run would stop here: \(error)")
        }
        let base = ProcessInfo.processInfo.environment
        let plans = plan.configs.map {
            EvalRunner.launchPlan($0, runDir: plan.runDir, cli: ctx.cli, environment: ctx.environment, base: base)
        }
        if dryRun { return try printDryRun(plan, plans) }

        SignalForwarder.shared.installSignalHandlers()
        let runner = EvalRunner(signalForwarder: SignalForwarder.shared)
        let console = TerminalConsole(stdoutToStderr: output.json)
        var sides: [EvalSide] = []
        for (i, (config, launch)) in zip(plan.configs, plans).enumerated() {
            Terminal.err(Terminal.paint("lfm ▸ eval \(config.role) (\(i + 1)/\(plan.configs.count))", .bold, stderr: true)
                         + " \(config.configPath)")
            let outcome = try await runner.predict(config, plan: launch, runDir: plan.runDir, console: console)
            if let code = SignalForwarder.shared.interruptionExitCode { throw ExitCode(code) }
            guard outcome.succeeded else {
                Terminal.error("llamafactory-cli train \(config.configPath) \(outcome)\nhint: the output is in \(EvalRunner.logPath(runDir: plan.runDir))")
                throw ExitCode(outcome.exitCode)
            }
            sides.append(try EvalRunner.side(config))
        }
        let saved = try EvalRunner.save(plan, context: ctx, sides: sides, maxSamples: maxSamples, shown: samples)
        if output.json { return try Terminal.json(EvalResult(run: plan.runID, record: saved)) }
        printSummary(saved, run: plan.runID)
    }

    func printSummary(_ record: EvalRecord, run: String) {
        let names = record.datasets.map(\.name).joined(separator: ", ")
        Terminal.out("Evaluated run \(run) on \(names) (\(record.adapter.samples) answers)")
        let baseMetrics = record.base?.metrics
        let rows = record.adapter.metrics.rows.map { row -> [String] in
            let b = baseMetrics?.rows.first { $0.key == row.key }?.value
            let d = record.delta?.rows.first { $0.key == row.key }?.value
            return [row.label, b.map { String(format: "%.2f", $0) } ?? "-", row.value.map { String(format: "%.2f", $0) } ?? "-",
                    d.map(EvalRecord.signed) ?? "-"]
        }
        Terminal.out(Terminal.table(["METRIC", "BASE", "ADAPTER", "DELTA"], rows, rightAligned: [1, 2, 3]))
        if let md = record.reportMarkdown { Terminal.out("report: \(md)") }
        if let html = record.reportHTML { Terminal.out("        \(html)") }
        Terminal.err("  scores are word overlap with the reference answers (0-100); read the samples in the report")
    }

    func printDryRun(_ plan: EvalPlan, _ plans: [LaunchPlan]) throws {
        if output.json { return try Terminal.json(EvalDryRun(plan: plan, launches: plans)) }
        for (config, launch) in zip(plan.configs, plans) {
            Terminal.out(Terminal.paint("# \((config.configPath as NSString).lastPathComponent) (would be written to \(config.configPath))", .dim))
            Terminal.out(config.yaml.hasSuffix("\n") ? String(config.yaml.dropLast()) : config.yaml)
            Terminal.out(Terminal.paint("# command (cwd \(launch.workingDirectory ?? ".")):", .dim))
            Terminal.out(launch.shellLine())
        }
    }
}

import Foundation
import LFMCore
import LFMSystem

/// Runs the predict configs of an ``EvalPlan`` with `llamafactory-cli train` the way training
/// runs (the env activated, output streamed to the console and appended to `<run dir>/eval.log`,
/// signals forwarded to the child's process group), then reads LLaMA-Factory's results.
public struct EvalRunner: Sendable {
    public var signalForwarder: SignalForwarder?
    /// Runs the predict child.
    public var runner: any ProcessRunner

    /// `runner` nil: a `FoundationProcessRunner` forwarding lfm's signals through `signalForwarder`.
    public init(signalForwarder: SignalForwarder? = nil, runner: (any ProcessRunner)? = nil) {
        self.signalForwarder = signalForwarder
        self.runner = runner ?? FoundationProcessRunner(signalForwarder: signalForwarder)
    }

    public static func logPath(runDir: String) -> String { runDir + "/eval.log" }

    /// The launch plan for one predict config (cwd: the run directory, like training).
    public static func launchPlan(_ config: PredictConfig, runDir: String, cli: String, environment: CondaEnvironment,
                                  base: [String: String]) -> LaunchPlan {
        LaunchPlan.make(cli: cli, subcommand: "train", config: config.configPath, env: environment,
                        workingDirectory: runDir, base: base)
    }

    /// Writes the YAML, clears the results of an earlier eval in its output dir, and runs it.
    public func predict(_ config: PredictConfig, plan: LaunchPlan, runDir: String, console: any LaunchConsole) async throws -> ProcessOutcome {
        try AtomicFile.write(config.yaml, to: config.configPath)
        try FileManager.default.createDirectory(atPath: config.outputDir, withIntermediateDirectories: true)
        for file in ["predict_results.json", "generated_predictions.jsonl", "all_results.json"] {
            try? FileManager.default.removeItem(atPath: config.outputDir + "/" + file)
        }
        let log = try LogWriter(path: Self.logPath(runDir: runDir))
        defer { log.close() }
        log.write("== lfm eval: \(config.role) (\(plan.argv.joined(separator: " ")))\n")
        let outcome = try await runner.run(plan.spec, onStart: { _ in }, onLine: { line in
            log.write(line.text + "\n")
            console.childLine(line)
        })
        console.finish()
        return outcome
    }

    /// One side's result from LLaMA-Factory's files in its output dir.
    public static func side(_ config: PredictConfig) throws -> EvalSide {
        let results = try EvalMetrics.read(predictResults: config.outputDir + "/predict_results.json")
        let predictions = config.outputDir + "/generated_predictions.jsonl"
        return EvalSide(model: config.mapping["model_name_or_path"]?.scalarText ?? "",
                        adapter: config.mapping["adapter_name_or_path"]?.scalarText,
                        metrics: results.metrics, samples: Prediction.read(predictions).count,
                        runtimeSeconds: results.runtime, config: config.configPath, yaml: config.yaml,
                        outputDir: config.outputDir, predictions: predictions)
    }

    /// The eval entry from the scored sides (adapter first), with eval.md/eval.html written (the
    /// first `shown` questions with both answers) and saved into the run's run.json.
    public static func save(_ plan: EvalPlan, context: RunLaunchContext, sides: [EvalSide], maxSamples: Int?,
                            shown: Int) throws -> EvalRecord {
        let record = EvalRecord(datasets: plan.datasets, maxSamples: maxSamples, usesTrainingData: plan.usesTrainingData,
                                adapter: sides[0], base: sides.count > 1 ? sides[1] : nil)
        let questions = EvalQuestions(datasets: plan.datasets.map(\.name), workspace: context.workspace)
        let adapterConfig = plan.configs[0].mapping
        let report = EvalReport(
            runID: plan.runID, model: context.model, template: context.template, record: record,
            samples: EvalReport.samples(adapter: Prediction.read(sides[0].predictions),
                                        base: sides.count > 1 ? Prediction.read(sides[1].predictions) : nil,
                                        count: shown, question: questions.question(for:)),
            settings: [("decoding", adapterConfig["do_sample"]?.scalarText == "true" ? "sampling" : "greedy"),
                       ("max_new_tokens", adapterConfig["max_new_tokens"]?.scalarText ?? "-"),
                       ("cutoff_len", adapterConfig["cutoff_len"]?.scalarText ?? "-")])
        return try Self.record(record, report: report, in: context.info.directory)
    }

    /// Writes eval.md and eval.html into the run directory and the `eval` entry into run.json.
    public static func record(_ record: EvalRecord, report: EvalReport, in directory: RunDirectory) throws -> EvalRecord {
        var record = record
        let md = directory.path + "/eval.md", html = directory.path + "/eval.html"
        var report = report
        report.record = record
        try AtomicFile.write(report.markdown(), to: md)
        try AtomicFile.write(report.html(), to: html)
        record.reportMarkdown = md
        record.reportHTML = html
        var run = try directory.readRecord()
        run.eval = record
        try directory.write(run)
        return record
    }
}

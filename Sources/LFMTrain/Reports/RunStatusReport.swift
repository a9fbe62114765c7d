import Foundation
import LFMCore
import LFMSystem

/// `lfm status --json` (docs/json.md#lfm-status): the run's summary, then its loss curve,
/// checkpoints, how to resume it and its latest export.
public struct RunStatusReport: Encodable, Sendable {
    /// One logged training loss: `[step, loss]`.
    public struct LossPoint: Encodable, Sendable {
        public var step: Int
        public var loss: Double
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(step)
            try c.encode(loss)
        }
    }

    /// `export`: where the merged model is and what its check found.
    public struct ExportSummary: Encodable, Sendable {
        public var exportDir: String
        public var merged: Bool?
        public var ok: Bool
    }

    public var summary: RunSummary
    public var losses: [LossPoint]
    public var sparkline: String
    public var log: String
    public var pid: Int32?
    public var checkpoints: [Checkpoint]
    /// The command that continues the run (null while it runs or once it finished).
    public var resumeCommand: String?
    public var export: ExportSummary?

    /// - Parameter workspace: the run's workspace (the resume command names it when it was
    ///   given with `--lf-dir`).
    public init(_ info: RunInfo, workspace: Workspace) {
        let r = info.record
        summary = RunSummary(info)
        losses = info.progress.losses.map { LossPoint(step: $0.step, loss: $0.loss) }
        sparkline = info.progress.sparkline()
        log = info.directory.logFile
        pid = r.pid
        checkpoints = Checkpoint.scan(outputDir: r.outputDir)
        resumeCommand = Self.resumable(info.status) ? TrainSession.resumeCommand(r.id, workspace: workspace) : nil
        export = r.export.map { ExportSummary(exportDir: $0.exportDir, merged: $0.merged, ok: $0.ok) }
    }

    /// A run that neither runs nor finished can be continued.
    public static func resumable(_ status: RunRecord.Status) -> Bool { status != .running && status != .finished }

    enum CodingKeys: String, CodingKey {
        case losses, sparkline, log, pid, checkpoints, resumeCommand, export
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(losses, forKey: .losses)
        try c.encode(sparkline, forKey: .sparkline)
        try c.encode(log, forKey: .log)
        try c.encodeIfPresent(pid, forKey: .pid)
        try c.encode(checkpoints, forKey: .checkpoints)
        try c.encodeIfPresent(resumeCommand, forKey: .resumeCommand)
        try c.encodeIfPresent(export, forKey: .export)
    }
}

/// `lfm cancel --json` (docs/json.md#lfm-cancel): the run's summary after the cancel, whether it
/// was a dry run, and what was (or would be) done.
public struct CancelReport: Encodable, Sendable {
    public var summary: RunSummary
    public var dryRun: Bool
    public var action: String

    public init(info: RunInfo, dryRun: Bool, action: RunCanceller.Action) {
        summary = RunSummary(info)
        self.dryRun = dryRun
        self.action = action.description
    }

    enum CodingKeys: String, CodingKey { case dryRun, action }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(action, forKey: .action)
    }
}

/// `lfm plot --json` (docs/json.md#lfm-plot): the SVG written and what each run contributed.
public struct PlotReport: Encodable, Sendable {
    public struct Run: Encodable, Sendable {
        public var id: String
        public var lossPoints: Int
        public var evalPoints: Int
        public var lastLoss: Double?
    }

    public var svg: String
    public var runs: [Run]

    /// Writes the loss curves of `runs` (several are overlaid) as an SVG: to `out` (relative to
    /// `currentDirectory`), else the run's `loss.svg` for one run and `./loss.svg` for several.
    public static func write(_ runs: [RunInfo], out: String?, currentDirectory: String) throws -> PlotReport {
        let series = runs.map { info in
            LossPlot.Series(label: info.record.id,
                            points: info.progress.losses.map { (Double($0.step), $0.loss) },
                            evalPoints: info.progress.evalLosses.map { (Double($0.step), $0.loss) })
        }
        let title = runs.count == 1 ? "Training loss — \(runs[0].record.id)" : "Training loss"
        let path = out.map { Workspace.absolute($0, from: currentDirectory) }
            ?? (runs.count == 1 ? runs[0].directory.path + "/loss.svg" : currentDirectory + "/loss.svg")
        try AtomicFile.write(LossPlot(series: series, title: title).svg(), to: path)
        return PlotReport(svg: path, runs: runs)
    }

    public init(svg: String, runs: [RunInfo]) {
        self.svg = svg
        self.runs = runs.map { info in
            Run(id: info.record.id, lossPoints: info.progress.losses.count, evalPoints: info.progress.evalLosses.count,
                lastLoss: info.progress.losses.last?.loss)
        }
    }
}

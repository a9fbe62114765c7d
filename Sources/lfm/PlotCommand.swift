import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Write the loss curve of one or more runs as an SVG (several runs are overlaid).")

    @Argument(help: "Run ids, unique prefixes, or `last`.") var runs: [String] = ["last"]
    @Option(help: "SVG file to write (default: .lfm/runs/<id>/loss.svg for one run, ./loss.svg for several).")
    var out: String?
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = RunStore(workspace: try workspaceOptions.workspace())
        let infos = try runs.map { try store.info($0) }
        for info in infos where info.progress.losses.isEmpty {
            Terminal.warning("run \(info.record.id) has no loss values yet (\(info.record.outputDir)/trainer_log.jsonl)")
        }
        let report = try PlotReport.write(infos, out: out, currentDirectory: FileManager.default.currentDirectoryPath)
        if output.json { return try Terminal.json(report) }
        Terminal.out(report.svg)
    }
}

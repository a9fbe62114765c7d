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
        do {
            let store = try RunsFormat.store(workspaceOptions)
            let infos = try runs.map { try store.info(try store.resolve($0)) }
            let series = infos.map { info in
                LossPlot.Series(label: info.record.id,
                                points: info.progress.losses.map { (Double($0.step), $0.loss) },
                                evalPoints: info.progress.evalLosses.map { (Double($0.step), $0.loss) })
            }
            for info in infos where info.progress.losses.isEmpty {
                Terminal.warning("run \(info.record.id) has no loss values yet (\(info.record.outputDir)/trainer_log.jsonl)")
            }
            let title = infos.count == 1 ? "Training loss — \(infos[0].record.id)" : "Training loss"
            let svg = LossPlot(series: series, title: title).svg()
            let path = out.map { Workspace.absolute($0, from: FileManager.default.currentDirectoryPath) }
                ?? (infos.count == 1 ? infos[0].directory.path + "/loss.svg" : FileManager.default.currentDirectoryPath + "/loss.svg")
            try AtomicFile.write(svg, to: path)
            if output.json {
                try Terminal.json(PlotReport(svg: path, runs: infos))
            } else {
                Terminal.out(path)
            }
        } catch { throw fail(error) }
    }
}

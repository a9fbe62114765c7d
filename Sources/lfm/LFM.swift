import ArgumentParser
import Foundation
import LFMCore
import LFMGenerate
import LFMSystem

@main
struct LFM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lfm",
        abstract: "From your own documents to a LoRA adapter trained with LLaMA-Factory.",
        discussion: """
        A typical session:
          lfm init ~/lf-work          # or work inside a LLaMA-Factory checkout
          lfm register mydata.json    # validate, copy, merge into dataset_info.json
          lfm list                    # every dataset: format, size, records, health

        Exit status: 0 success, 1 failure, 64 usage error, 130 interrupted.
        Guides: docs/ in the lfm repository.
        """,
        version: LFMVersion.current,
        subcommands: [
            InitCommand.self,
            RegisterCommand.self,
            ListCommand.self,
            ShowCommand.self,
            RemoveCommand.self,
            ValidateCommand.self,
            GenerateCommand.self,
            ConvertCommand.self,
            StatsCommand.self,
            SplitCommand.self,
            DedupeCommand.self,
            MergeCommand.self,
            SampleCommand.self,
            TrainCommand.self,
            DoctorCommand.self,
            RunsCommand.self,
            StatusCommand.self,
            LogsCommand.self,
            CancelCommand.self,
            PlotCommand.self,
            EvalCommand.self,
            CompareCommand.self,
            ExportCommand.self,
            ChatCommand.self,
            TemplatesCommand.self,
            ModelsCommand.self,
        ]
    )

    /// Parses, runs, and routes every error through one mapping (`ErrorReporter`): commands just `try`.
    static func main() async {
        ParentWatch.runIfRequested()  // lfm started as the watcher of an attached run: never returns
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Answered before ArgumentParser builds the command tree (a quarter of its start-up
        // time, docs/performance.md); the same output as ArgumentParser's `--version`.
        if arguments == ["--version"] {
            print(LFMVersion.current)
            return
        }
        var command: ParsableCommand.Type?
        do {
            var parsed = try parseAsRoot(arguments)
            command = type(of: parsed)
            ErrorReporter.runningCommand = command
            if var asyncCommand = parsed as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try parsed.run()
            }
        } catch {
            Foundation.exit(ErrorReporter.report(error, command: command, arguments: arguments))
        }
    }
}

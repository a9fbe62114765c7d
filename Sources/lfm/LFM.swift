import ArgumentParser
import LFMCore

@main
struct LFM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lfm",
        abstract: "From your own documents to a LoRA adapter trained with LLaMA-Factory.",
        discussion: """
        A typical session:
          lfm init ~/lf-work                      # or work inside a LLaMA-Factory checkout
          lfm register mydata.json                # validate, copy, merge into dataset_info.json
          lfm list                                # every dataset, its format, size and health

        Exit status: 0 success, 1 failure (invalid data, missing workspace, ...), 64 usage error,
        130 interrupted. See docs/ for the guides.
        """,
        version: LFMVersion.current,
        subcommands: [
            InitCommand.self,
            RegisterCommand.self,
            ListCommand.self,
            ShowCommand.self,
            RemoveCommand.self,
            ValidateCommand.self,
            TrainCommand.self,
            RunsCommand.self,
            StatusCommand.self,
            LogsCommand.self,
            PlotCommand.self,
            ExportCommand.self,
            ChatCommand.self,
            TemplatesCommand.self,
            ModelsCommand.self,
        ]
    )
}

import ArgumentParser
import LFMCore

@main
struct LFM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lfm",
        abstract: "From your own documents to a LoRA adapter trained with LLaMA-Factory.",
        subcommands: []
    )
}

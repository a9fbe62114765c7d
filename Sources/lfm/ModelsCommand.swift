import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the model short names `lfm train --model` understands.",
        discussion: """
        Each short name maps to a Hugging Face id and LLaMA-Factory chat template. Add your own in \
        <workspace>/templates/models.yaml or ~/.config/lfm/templates/models.yaml (same shape as \
        `lfm templates show models`). Any Hugging Face id or local directory works too, with --template.
        """)

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var tableOptions: TableOptions

    func run() throws {
        let workspace = try? workspaceOptions.workspace()
        let catalog = try TemplateLibrary.standard(workspaceRoot: workspace?.root).modelCatalog()
        if output.json {
            try Terminal.json(catalog.entries.map(ModelSummary.init))
            return
        }
        let rows = catalog.entries.map { [$0.name, $0.hfID, $0.template, $0.source.label, $0.note ?? ""] }
        Terminal.out(TextTable([
            .init("NAME"), .init("HUGGING FACE ID", elide: .middle, minWidth: 30), .init("TEMPLATE"),
            .init("SOURCE", dropRank: 0), .init("NOTE", dropRank: 1, elide: .end, minWidth: 12),
        ], rows).fitted(tableOptions))
    }
}

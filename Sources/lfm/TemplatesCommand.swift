import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

/// Templates are looked up in the workspace's templates/, then ~/.config/lfm/templates, then the
/// built-ins; a workspace is optional here.
private func templateLibrary(_ options: WorkspaceOptions) -> (TemplateLibrary, Workspace?) {
    let workspace = try? options.workspace()
    return (TemplateLibrary.standard(workspaceRoot: workspace?.root), workspace)
}

struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "List, show and copy the config templates `lfm train` starts from.",
        discussion: """
        Built-in templates ship inside lfm. A file with the same name in <workspace>/templates/ or \
        ~/.config/lfm/templates/ (XDG_CONFIG_HOME) replaces the built-in one; see docs/training.md.
          lfm templates                     # list
          lfm templates show dpo            # print one
          lfm templates copy sft            # editable copy in <workspace>/templates/sft.yaml
        """,
        subcommands: [TemplatesList.self, TemplatesShow.self, TemplatesCopy.self],
        defaultSubcommand: TemplatesList.self)
}

struct TemplatesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every template and where it comes from.")

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var tableOptions: TableOptions

    func run() throws {
        let (library, _) = templateLibrary(workspaceOptions)
        let all = library.all()
        if output.json {
            try Terminal.json(all.map(TemplateSummary.init))
            return
        }
        let rows = all.map { t in
            [t.name, t.kind.rawValue, t.stage ?? "-", t.method ?? "-", t.source.path.map { "\(t.source.label): \($0)" } ?? t.source.label, t.summary ?? ""]
        }
        Terminal.out(TextTable([
            .init("NAME"), .init("KIND", dropRank: 2), .init("STAGE", dropRank: 1), .init("METHOD", dropRank: 0),
            .init("SOURCE", elide: .middle, minWidth: 16), .init("ABOUT", elide: .end, minWidth: 20),
        ], rows).fitted(tableOptions))
    }
}

struct TemplatesShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a template as lfm would use it.")

    @Argument(help: "Template name (sft, dpo, qlora, merge_lora, ds_z3, models, ...).")
    var name: String

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (library, _) = templateLibrary(workspaceOptions)
        let template = try library.templateOrModels(named: name)
        if output.json {
            try Terminal.json(TemplateText(template))
            return
        }
        Terminal.err(Terminal.paint("# \(template.relativePath) (\(template.source))", .dim, stderr: true))
        Terminal.out(template.text.hasSuffix("\n") ? String(template.text.dropLast()) : template.text)
    }
}

struct TemplatesCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a template into the workspace's templates/ folder to edit it.",
        usage: "lfm templates copy [<options>] <name>",
        discussion: "The copy then replaces the built-in template of the same name for this workspace.")

    @Argument(help: "Template name.")
    var name: String

    @Option(help: ArgumentHelp("Folder to copy into (default: <workspace>/templates).", valueName: "dir"))
    var to: String?

    @Flag(help: "Replace an existing file.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Say what would be written; write nothing.")
    var dryRun = false

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let (library, workspace) = templateLibrary(workspaceOptions)
        let directory: String
        if let to {
            directory = Workspace.absolute(to, from: FileManager.default.currentDirectoryPath)
        } else {
            directory = TemplateLibrary.workspaceDirectory(root: try workspace ?? workspaceOptions.workspace())
        }
        let result = try library.copy(name, to: directory, force: force, dryRun: dryRun)
        if output.json {
            try Terminal.json(TemplateCopyReport(name: name, path: result.path, replaced: result.replaced, dryRun: dryRun))
            return
        }
        let verb = dryRun ? (result.replaced ? "would replace" : "would write") : (result.replaced ? "replaced" : "wrote")
        Terminal.out("\(verb) \(result.path)")
    }
}

private extension TemplateLibrary {
    static func workspaceDirectory(root workspace: Workspace) -> String { workspaceDirectory(root: workspace.root) }
}

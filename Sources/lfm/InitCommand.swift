import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a workspace for a pip-installed LLaMA-Factory.",
        discussion: """
        Creates DIR/data/dataset_info.json (an empty registry) and DIR/lfm.yaml, lfm's config file. \
        Existing files are kept. Commands run inside DIR (or with --lf-dir DIR) then use it.

        A LLaMA-Factory checkout needs no init: lfm finds its data/dataset_info.json.

        --env is checked (a venv or conda prefix path must hold bin/python; a conda name must be \
        known to conda) and stored in lfm.yaml; running init again with another --env updates it. \
        A venv path is the simplest choice: it works without conda.

          lfm init ~/lf-work --env ~/venvs/lf
          lfm init ~/lf-work --env llamafactory     # a conda env name
        """)

    @Argument(help: "Workspace directory (created if missing).")
    var directory: String = "."

    @Option(help: ArgumentHelp("The venv or conda env (prefix path or conda name) with LLaMA-Factory, for `lfm train`.", valueName: "path|name"))
    var env: String?

    @Flag(help: "Show what would be created without creating it.")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let dir = Workspace.absolute(directory, from: FileManager.default.currentDirectoryPath)
        var check: EnvironmentCheck?
        if let env { check = try await EnvironmentCheck.check(env) }
        let configPath = dir + "/" + LFMConfig.fileName
        let previousEnv = (try? LFMConfig.load(path: configPath))?.env
        let envReport = check.map { InitReport.Env($0, previous: previousEnv) }
        if dryRun {
            let planned = InitReport.planned(directory: dir)
            if output.json {
                try Terminal.json(InitReport(directory: dir, dataDir: nil, config: nil, created: [], wouldCreate: planned,
                                             dryRun: true, env: envReport))
            } else {
                Terminal.out(planned.isEmpty ? "\(dir) is already a workspace; nothing to create." : "Would create:\n" + planned.map { "  \($0)" }.joined(separator: "\n"))
                if let check { printEnv(check, previous: previousEnv, dryRun: true) }
            }
            return
        }
        let (workspace, created) = try Workspace.initialize(directory: dir, env: check?.stored)
        if let check, !created.contains(configPath) {
            try LFMConfig.setEnv(check.stored, configPath: configPath)
        }
        if output.json {
            try Terminal.json(InitReport(directory: workspace.root, dataDir: workspace.dataDir, config: workspace.configPath,
                                         created: created, wouldCreate: [], dryRun: false, env: envReport))
            return
        }
        if created.isEmpty {
            Terminal.out("\(workspace.root) is already an lfm workspace.")
        } else {
            Terminal.out("Created workspace \(workspace.root)")
            for path in created { Terminal.out("  \(path)") }
        }
        if let check { printEnv(check, previous: previousEnv, dryRun: false) }
        Terminal.out("Next: lfm register FILE --lf-dir \(workspace.root)   (or cd \(workspace.root))")
    }

    private func printEnv(_ check: EnvironmentCheck, previous: String?, dryRun: Bool) {
        let verb: String
        switch (previous, dryRun) {
        case (check.stored?, _): verb = "env (unchanged)"
        case (nil, true): verb = "env (would be set)"
        case (nil, false): verb = "env"
        case (let old?, true): verb = "env (would change from \(old))"
        case (let old?, false): verb = "env (changed from \(old))"
        }
        Terminal.out("\(verb): \(check.stored)")
        switch check.verdict {
        case .ready: Terminal.out("  \(check.message)")
        case .noLlamaFactory, .unchecked: Terminal.warning(check.message)
        }
    }
}

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
        if let env {
            do { check = try await EnvironmentCheck.check(env) } catch { throw fail(error) }
        }
        let configPath = dir + "/" + LFMConfig.fileName
        let previousEnv = (try? LFMConfig.load(path: configPath))?.env
        if dryRun {
            let fm = FileManager.default
            let planned = [dir + "/data/", dir + "/data/dataset_info.json", dir + "/lfm.yaml"].filter { !fm.fileExists(atPath: $0) }
            if output.json {
                Terminal.json(.object(JSONObject(["directory": .string(dir), "would_create": .array(planned.map { .string($0) }), "dry_run": .bool(true),
                                                  "env": envJSON(check, previous: previousEnv)])))
            } else {
                Terminal.out(planned.isEmpty ? "\(dir) is already a workspace; nothing to create." : "Would create:\n" + planned.map { "  \($0)" }.joined(separator: "\n"))
                if let check { printEnv(check, previous: previousEnv, dryRun: true) }
            }
            return
        }
        do {
            let (workspace, created) = try Workspace.initialize(directory: dir, env: check?.stored)
            if let check, !created.contains(configPath) {
                try LFMConfig.setEnv(check.stored, configPath: configPath)
            }
            if output.json {
                Terminal.json(.object(JSONObject([
                    "directory": .string(workspace.root), "data_dir": .string(workspace.dataDir),
                    "config": .string(workspace.configPath ?? ""), "created": .array(created.map { .string($0) }),
                    "env": envJSON(check, previous: previousEnv),
                ])))
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
        } catch {
            throw fail(error)
        }
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

    private func envJSON(_ check: EnvironmentCheck?, previous: String?) -> JSONValue {
        guard let check else { return .null }
        return .object(JSONObject([
            "value": .string(check.stored), "previous": previous.map { .string($0) } ?? .null,
            "verdict": .string(check.verdict.rawValue), "prefix": check.prefix.map { .string($0) } ?? .null,
            "llamafactory_cli": check.cli.map { .string($0) } ?? .null, "message": .string(check.message),
        ]))
    }
}

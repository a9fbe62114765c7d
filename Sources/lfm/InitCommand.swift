import ArgumentParser
import Foundation
import LFMCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a workspace for a pip-installed LLaMA-Factory.",
        discussion: """
        Creates DIR/data/dataset_info.json (an empty registry) and DIR/lfm.yaml, lfm's config file. \
        Existing files are kept. Commands run inside DIR (or with --lf-dir DIR) then use it.

        A LLaMA-Factory checkout needs no init: lfm finds its data/dataset_info.json.

          lfm init ~/lf-work --env llamafactory
        """)

    @Argument(help: "Workspace directory (created if missing).")
    var directory: String = "."

    @Option(help: "Conda environment (name or prefix) that has LLaMA-Factory installed, for `lfm train`.")
    var env: String?

    @Flag(help: "Show what would be created without creating it.")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let dir = Workspace.absolute(directory, from: FileManager.default.currentDirectoryPath)
        if dryRun {
            let fm = FileManager.default
            let planned = [dir + "/data/", dir + "/data/dataset_info.json", dir + "/lfm.yaml"].filter { !fm.fileExists(atPath: $0) }
            if output.json {
                Terminal.json(.object(JSONObject(["directory": .string(dir), "would_create": .array(planned.map { .string($0) }), "dry_run": .bool(true)])))
            } else {
                Terminal.out(planned.isEmpty ? "\(dir) is already a workspace; nothing to create." : "Would create:\n" + planned.map { "  \($0)" }.joined(separator: "\n"))
            }
            return
        }
        do {
            let (workspace, created) = try Workspace.initialize(directory: dir, env: env)
            if output.json {
                Terminal.json(.object(JSONObject([
                    "directory": .string(workspace.root), "data_dir": .string(workspace.dataDir),
                    "config": .string(workspace.configPath ?? ""), "created": .array(created.map { .string($0) }),
                ])))
                return
            }
            if created.isEmpty {
                Terminal.out("\(workspace.root) is already an lfm workspace.")
            } else {
                Terminal.out("Created workspace \(workspace.root)")
                for path in created { Terminal.out("  \(path)") }
            }
            Terminal.out("Next: lfm register FILE --lf-dir \(workspace.root)   (or cd \(workspace.root))")
        } catch {
            throw fail(error)
        }
    }
}

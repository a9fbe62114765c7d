import ArgumentParser
import LFMCore
import LFMTools

/// `--register`, `--name`, `--force` and `--dry-run` for the commands that write a dataset file.
struct OutputWriteOptions: ParsableArguments {
    @Flag(help: "Register the output in dataset_info.json.")
    var register = false

    @Option(help: "Registry name for --register (default: the output file name).")
    var name: String?

    @Flag(help: "Replace an existing output file (and registry entry with --register).")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Read and convert everything, report what would be written and registered; write nothing.")
    var dryRun = false

    /// Registers (or, in a dry run, plans registering) the written file when --register was given.
    func registration(path: String, spec: DatasetSpec, format: OutputFormat, workspace: WorkspaceOptions) throws -> OutputRegistrar.Registration? {
        guard register else { return nil }
        return try OutputRegistrar.registration(path: path, name: name, spec: spec, format: format,
                                                workspace: workspace.workspace(), force: force, dryRun: dryRun)
    }
}

import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Stop a running run: scancel for a Slurm job, else end its process group.",
        discussion: """
        A Slurm run (lfm train --slurm) is cancelled with `scancel JOBID`. A local run \
        (--detach, or attached in another terminal) gets SIGTERM on its whole process group \
        (torchrun and every worker), then SIGKILL after --grace seconds. The run is then \
        recorded as cancelled. A run that is already over is left alone.

        Examples:
          lfm cancel last
          lfm cancel 20261124-211500-sft --dry-run
        """)

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String
    @Option(help: "Seconds between SIGTERM and SIGKILL for a local run (and to wait for Slurm to confirm).") var grace: Int = 10
    @Flag(name: .customLong("dry-run"), help: "Say what would be stopped; stop nothing.") var dryRun = false
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if grace < 0 { throw ValidationError("--grace must be 0 or more seconds") }
    }

    func run() async throws {
        let (store, dir) = try RunStore.resolve(runRef, in: try workspaceOptions.workspace())
        let canceller = RunCanceller(store: store, scheduler: SlurmClient(), grace: .seconds(grace))
        let result: (action: RunCanceller.Action, info: RunInfo)
        if dryRun {
            let info = try await store.liveInfo(dir, scheduler: SlurmClient())
            result = (canceller.action(for: info), info)
        } else {
            result = try await canceller.cancel(dir)
        }
        if output.json { return try Terminal.json(CancelReport(info: result.info, dryRun: dryRun, action: result.action)) }
        switch result.action {
        case .alreadyOver(let status):
            Terminal.out("run \(dir.id) is \(status.rawValue); nothing to cancel")
        case .noProcess:
            Terminal.out("run \(dir.id) has no process id yet; nothing was stopped (try again in a moment)")
            throw Exit.failure
        case .scancel, .endProcessGroup:
            if dryRun {
                Terminal.out("would stop run \(dir.id): \(result.action)")
            } else {
                Terminal.out("run \(dir.id): \(result.action) → \(RunsFormat.paintStatus(result.info.status))"
                             + (result.info.record.cluster?.slurm?.state.map { " (Slurm: \($0))" } ?? ""))
            }
        }
    }
}

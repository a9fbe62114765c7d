import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a run's train.log; -f follows it until the run ends.",
        discussion: "A Slurm run's job writes its output into the same train.log; -f waits while it is pending.")

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Flag(name: [.short, .customLong("follow")], help: "Keep printing new lines until the run ends.") var follow = false
    @OptionGroup var workspaceOptions: WorkspaceOptions

    func run() async throws {
        let (store, dir) = try RunStore.resolve(runRef, in: try workspaceOptions.workspace())
        guard let handle = FileHandle(forReadingAtPath: dir.logFile) else { throw RunError.unreadable(dir.logFile) }
        defer { try? handle.close() }
        func drain() {
            while let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty {
                FileHandle.standardOutput.write(data)
            }
        }
        drain()
        guard follow else { return }
        let scheduler = SlurmClient()
        func live() async -> RunInfo? { try? await store.liveInfo(dir, scheduler: scheduler) }
        var tick = 0
        var status = await live()?.status
        while status == .running || status == .pending {
            drain()
            try? await Task.sleep(for: .milliseconds(200))
            tick += 1
            // A Slurm run asks scontrol: once a second is plenty.
            if tick % 5 == 0 || (try? dir.readRecord())?.cluster?.slurm == nil { status = await live()?.status }
        }
        drain()
        if let info = await live() {
            Terminal.err("lfm ▸ run \(dir.id) \(info.status.rawValue)" + (info.record.exitCode.map { " (exit \($0))" } ?? ""))
        }
    }
}

import ArgumentParser
import Foundation
import LFMCore
import LFMTrain

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a run's train.log; -f follows it until the run ends.")

    @Argument(help: ArgumentHelp("Run id, unique prefix, or `last`.", valueName: "run")) var runRef: String = "last"
    @Flag(name: [.short, .customLong("follow")], help: "Keep printing new lines until the run ends.") var follow = false
    @OptionGroup var workspaceOptions: WorkspaceOptions

    func run() throws {
        let store: RunStore
        let dir: RunDirectory
        do {
            store = try RunsJSON.store(workspaceOptions)
            dir = try store.resolve(runRef)
        } catch { throw fail(error) }
        guard let handle = FileHandle(forReadingAtPath: dir.logFile) else {
            throw fail(RunError.unreadable(dir.logFile))
        }
        defer { try? handle.close() }
        func drain() {
            while let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty {
                FileHandle.standardOutput.write(data)
            }
        }
        drain()
        guard follow else { return }
        while true {
            let running = (try? store.info(dir))?.status == .running
            drain()
            if !running { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        drain()
        if let info = try? store.info(dir) {
            Terminal.err("lfm ▸ run \(dir.id) \(info.status.rawValue)" + (info.record.exitCode.map { " (exit \($0))" } ?? ""))
        }
    }
}

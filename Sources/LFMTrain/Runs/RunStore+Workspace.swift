import Foundation
import LFMCore

/// What every command that takes RUN starts with: the workspace's runs and the run named.
extension RunStore {
    /// The runs of `workspace` (`<stateDir>/runs/`).
    public init(workspace: Workspace) {
        self.init(stateDir: workspace.stateDir)
    }

    /// The runs of `workspace` and the run `ref` names (an id, a unique prefix or part of one,
    /// or `last`).
    public static func resolve(_ ref: String, in workspace: Workspace) throws -> (store: RunStore, directory: RunDirectory) {
        let store = RunStore(workspace: workspace)
        return (store, try store.resolve(ref))
    }

    /// The run `ref` names, read (`info(_:)`).
    public func info(_ ref: String) throws -> RunInfo {
        try info(resolve(ref))
    }

    /// The run `ref` names with its live state (`liveInfo(_:scheduler:)`: Slurm is asked).
    public func liveInfo(_ ref: String, scheduler: any JobScheduler) async throws -> RunInfo {
        try await liveInfo(resolve(ref), scheduler: scheduler)
    }

    /// Runs in time order, except that the runs of one multi-node job follow its first run,
    /// by node rank.
    public static func grouped(_ runs: [RunInfo]) -> [RunInfo] {
        var result: [RunInfo] = []
        var placed = Set<String>()
        for run in runs where !placed.contains(run.record.id) {
            guard let job = run.record.cluster?.job, run.record.cluster?.slurm == nil else {
                result.append(run)
                placed.insert(run.record.id)
                continue
            }
            let members = runs.filter { $0.record.cluster?.job == job && $0.record.cluster?.slurm == nil }
                .sorted { ($0.record.cluster?.nodeRank ?? 0, $0.record.id) < ($1.record.cluster?.nodeRank ?? 0, $1.record.id) }
            for member in members where !placed.contains(member.record.id) {
                result.append(member)
                placed.insert(member.record.id)
            }
        }
        return result
    }
}

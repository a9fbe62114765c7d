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
}

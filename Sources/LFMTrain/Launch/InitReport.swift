import Foundation
import LFMCore

/// `lfm init --json` (docs/json.md): the workspace created (or, with --dry-run, what would be)
/// and the environment stored in its lfm.yaml.
public struct InitReport: Encodable, Sendable {
    /// The `--env` given, as checked and stored.
    public struct Env: Encodable, Sendable, Equatable {
        /// What lfm.yaml says: an absolute prefix, or a conda env name.
        public var value: String
        /// What lfm.yaml said before (null when it named no env).
        public var previous: String?
        /// `ready`, `no_llamafactory` or `unchecked`.
        public var verdict: String
        public var prefix: String?
        public var llamafactoryCli: String?
        public var message: String

        public init(_ check: EnvironmentCheck, previous: String?) {
            value = check.stored
            self.previous = previous
            verdict = check.verdict.rawValue
            prefix = check.prefix
            llamafactoryCli = check.cli
            self.message = check.message
        }
    }

    public var directory: String
    /// The workspace's data folder and config file (null for a dry run).
    public var dataDir: String?
    public var config: String?
    /// Files and folders created, in order (empty for a dry run and for an existing workspace).
    public var created: [String]
    /// With --dry-run: what would be created (empty otherwise).
    public var wouldCreate: [String]
    public var dryRun: Bool
    /// Null without --env.
    public var env: Env?

    public init(directory: String, dataDir: String?, config: String?, created: [String], wouldCreate: [String],
                dryRun: Bool, env: Env?) {
        self.directory = directory
        self.dataDir = dataDir
        self.config = config
        self.created = created
        self.wouldCreate = wouldCreate
        self.dryRun = dryRun
        self.env = env
    }

    /// What `Workspace.initialize(directory:)` would create in `directory` (absolute): the
    /// missing ones of data/, data/dataset_info.json and lfm.yaml.
    public static func planned(directory: String) -> [String] {
        let fm = FileManager.default
        return [directory + "/data/", directory + "/data/" + Registry.fileName, directory + "/" + LFMConfig.fileName]
            .filter { !fm.fileExists(atPath: $0) }
    }
}

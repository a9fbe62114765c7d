/// `lfm list --json` (docs/json.md): the registry and one row per registered dataset.
public struct DatasetListing: Encodable, Sendable {
    /// The `dataset_info.json` listed.
    public var registry: String
    public var datasets: [DatasetSummary]
    /// False when any dataset has an error (`DatasetSummary.Status.isError`); `list --check` then exits 1.
    public var ok: Bool

    public init(registry: String, datasets: [DatasetSummary]) {
        self.registry = registry
        self.datasets = datasets
        self.ok = !datasets.contains { $0.status.isError }
    }

    /// The datasets with an error, in registry order.
    public var failing: [DatasetSummary] { datasets.filter { $0.status.isError } }
}

extension DatasetSummary.Status {
    /// A missing file, invalid records (or fields LLaMA-Factory would drop) or an entry problem:
    /// what `lfm list --check` fails on.
    public var isError: Bool {
        switch self {
        case .missingFile, .invalid, .problem: return true
        case .ok, .remote, .unchecked: return false
        }
    }
}

import Foundation
import LFMSystem

/// One row of `lfm list`.
/// One `lfm list` row (and one element of `lfm list --json`'s `datasets`).
public struct DatasetSummary: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case ok
        case missingFile = "missing file"
        case invalid
        case remote
        case unchecked
        case problem = "entry problem"
    }

    public var name: String
    public var source: String
    public var formatting: String
    public var kind: String
    public var records: Int?
    public var bytes: Int?
    public var status: Status
    public var path: String?
    /// Entry problems and validation errors, short.
    public var problems: [String]
}

/// Builds `lfm list` rows. Record counts come from a cache keyed by path, size and modification
/// time (`.lfm/cache/records.json`), so listing a large registry stays fast after the first time.
public struct DatasetLister {
    public let workspace: Workspace
    public var check: Bool

    public init(workspace: Workspace, check: Bool = false) {
        self.workspace = workspace
        self.check = check
    }

    public func summaries() throws -> [DatasetSummary] {
        let document = try workspace.registry.read()
        var cache = RecordCountCache(path: workspace.stateDir + "/cache/records.json")
        defer { cache.save() }
        return document.entries.map { summary(of: $0, cache: &cache) }
    }

    public func summary(of entry: DatasetEntry, cache: inout RecordCountCache) -> DatasetSummary {
        var row = DatasetSummary(name: entry.name, source: entry.source.label, formatting: entry.spec.formatting.rawValue,
                                 kind: entry.kind.rawValue, records: nil, bytes: nil, status: .ok, path: nil, problems: entry.problems)
        guard case .file(let fileName) = entry.source else {
            row.status = entry.source.isLocal ? .unchecked : .remote
            if case .none = entry.source { row.status = .problem }
            return row
        }
        let path = workspace.registry.resolve(fileName: fileName)
        row.path = path
        let file: DataFile
        do { file = try DataFile(path: path) } catch {
            row.status = FileStatus.of(path) == .missing ? .missingFile : .problem
            if row.status == .problem { row.problems.append("\(error)") }
            return row
        }
        row.bytes = file.size
        if !entry.problems.isEmpty { row.status = .problem }
        guard file.type.isCheckable, !file.isDirectory else {
            if row.status == .ok { row.status = .unchecked }
            return row
        }
        let stamp = RecordCountCache.stamp(path: path)
        if !check, let cached = cache.lookup(path: path, stamp: stamp) {
            row.records = cached.records
            if cached.valid == false, row.status == .ok { row.status = .invalid }
            return row
        }
        let layout: RecordLayout? = file.type == .txt ? .text : nil
        if check {
            let report = (try? FileValidator(spec: entry.spec).validate(path: path, layoutHint: layout))
            row.records = report?.records
            if let report, report.hasErrors {
                if row.status == .ok { row.status = .invalid }
                row.problems += report.groups.filter { $0.severity == .error }.map { "\($0.total)× \($0.issues[0].message)" }
            }
            cache.store(path: path, stamp: stamp, records: report?.records ?? 0, valid: report.map { !$0.hasErrors })
        } else {
            var count = 0
            let counted: Bool
            do {
                let reader = try RecordReader(path: path, layoutHint: layout)
                try reader.forEach { _, _ in count += 1 }
                counted = true
            } catch {
                counted = false
                row.problems.append("\(error)")
                if row.status == .ok { row.status = .invalid }
            }
            row.records = counted ? count : nil
            cache.store(path: path, stamp: stamp, records: count, valid: counted ? nil : false)
        }
        return row
    }
}

/// Cached record counts, invalidated by size or modification time.
public struct RecordCountCache {
    struct Item: Codable {
        var stamp: String
        var records: Int
        var valid: Bool?
    }

    let path: String
    private var items: [String: Item] = [:]
    private var dirty = false

    public init(path: String) {
        self.path = path
        // lfm's own parser, not JSONDecoder: decoding through Codable cost `lfm list` more start-up
        // time (generic metadata) than reading the file (docs/performance.md).
        if let data = FileManager.default.contents(atPath: path), let object = (try? JSONParser.parse([UInt8](data)))?.objectValue {
            for member in object {
                guard let stamp = member.value["stamp"]?.stringValue, let records = member.value["records"]?.intValue else { continue }
                items[member.key] = Item(stamp: stamp, records: records, valid: member.value["valid"]?.boolValue)
            }
        }
    }

    static func stamp(path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "" }
        return "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    func lookup(path: String, stamp: String) -> (records: Int, valid: Bool?)? {
        guard let item = items[path], item.stamp == stamp, !stamp.isEmpty else { return nil }
        return (item.records, item.valid)
    }

    mutating func store(path: String, stamp: String, records: Int, valid: Bool?) {
        items[path] = Item(stamp: stamp, records: records, valid: valid)
        dirty = true
    }

    /// Best effort: a read-only workspace simply has no cache.
    func save() {
        guard dirty, let data = try? JSONEncoder().encode(items) else { return }
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? AtomicFile.write(Array(data), to: path)
    }
}

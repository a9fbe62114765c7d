import Foundation
import LFMCore
import LFMSystem

/// The files of one run: `<stateDir>/runs/<id>/`.
public struct RunDirectory: Sendable, Equatable {
    public var id: String
    public var path: String
    public init(id: String, path: String) {
        self.id = id
        self.path = path
    }
    public var configFile: String { path + "/train.yaml" }
    public var recordFile: String { path + "/run.json" }
    public var logFile: String { path + "/train.log" }
    /// Detached runs: the session leader's pid and the command's exit code (Detacher).
    public var pidFile: String { path + "/pid" }
    public var exitFile: String { path + "/exit_code" }

    /// Removes this directory if nothing was written into it (a reserved run whose launch
    /// stopped early). A directory with files is a run and is kept.
    /// The `runs/` folder (and an empty `.lfm/` above it) goes too when this left it empty, so
    /// a launch refused after its reservation leaves the workspace as it was.
    public func release() {
        guard rmdir(path) == 0 else { return }
        let runs = (path as NSString).deletingLastPathComponent
        guard rmdir(runs) == 0 else { return }
        let state = (runs as NSString).deletingLastPathComponent
        if (state as NSString).lastPathComponent == ".lfm" { _ = rmdir(state) }
    }

    public func readRecord() throws -> RunRecord {
        guard let data = FileManager.default.contents(atPath: recordFile) else {
            throw RunError.unreadable(recordFile)
        }
        return try RunRecord.decode(data)
    }

    public func write(_ record: RunRecord) throws {
        try AtomicFile.write([UInt8](try record.encoded()), to: recordFile)
    }
}

public enum RunError: Error, Sendable, CustomStringConvertible, Equatable {
    case noRuns(String)
    case unknown(String, known: [String])
    case ambiguous(String, matches: [String])
    case unreadable(String)

    public var description: String {
        switch self {
        case .noRuns(let dir): return "no runs yet (\(dir) is empty); start one with lfm train"
        case .unknown(let ref, let known):
            let hint = known.suffix(5).joined(separator: ", ")
            return "no run \"\(ref)\"" + (hint.isEmpty ? "" : "; recent runs: \(hint)") + " (see lfm runs)"
        case .ambiguous(let ref, let matches):
            return "\"\(ref)\" matches several runs: \(matches.joined(separator: ", ")); give more of the id"
        case .unreadable(let path): return "cannot read \(path)"
        }
    }
}

/// A run with its live state worked out.
public struct RunInfo: Sendable {
    public var directory: RunDirectory
    public var record: RunRecord
    /// running / finished / failed / interrupted / killed (not alive and no exit status).
    public var status: RunRecord.Status
    public var progress: ProgressSummary

    public var duration: TimeInterval? {
        guard let start = record.startDate else { return nil }
        let end = record.endDate ?? (status == .running ? Date() : nil)
        return end.map { $0.timeIntervalSince(start) }
    }

    /// The adapter directory if training wrote one.
    public var adapterPath: String? {
        let file = record.outputDir + "/adapter_model.safetensors"
        if FileManager.default.fileExists(atPath: file) { return record.outputDir }
        if FileManager.default.fileExists(atPath: record.outputDir + "/model.safetensors") { return record.outputDir }
        return nil
    }
}

/// All runs of a workspace, under `<stateDir>/runs/`.
public struct RunStore: Sendable {
    public var root: String

    public init(stateDir: String) {
        self.root = stateDir + "/runs"
    }

    public init(root: String) {
        self.root = root
    }

    /// `20261124-211500-sft-tiny-llama3`: UTC time, stage and a short model name; `-2`, `-3`… on a clash.
    /// Only the first free name at the time of the call: `reserve` claims one for a launch.
    public func newID(stage: String, model: String, date: Date = Date()) -> String {
        let base = Self.baseID(stage: stage, model: model, date: date)
        var id = base
        var n = 2
        while FileManager.default.fileExists(atPath: root + "/" + id) {
            id = "\(base)-\(n)"
            n += 1
        }
        return id
    }

    static func baseID(stage: String, model: String, date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "\(f.string(from: date))-\(stage)-\(shortName(model))"
    }

    static func shortName(_ model: String) -> String {
        var last = (model as NSString).lastPathComponent.lowercased()
        if last.isEmpty { last = "model" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        var out = String(last.map { allowed.contains($0) ? $0 : "-" })
        if out.count > 24 { out = String(out.prefix(24)) }
        return out
    }

    public func directory(id: String) -> RunDirectory {
        RunDirectory(id: id, path: root + "/" + id)
    }

    /// Claims a new run id by creating its directory exclusively (`mkdir(2)`, which fails when
    /// the directory exists): two `lfm train` started in the same second, on one host or on
    /// several sharing the workspace, never share a run directory. The first free of
    /// `<time>-<stage>-<model>`, `…-2`, `…-3`… is taken. Give the directory back with
    /// `RunDirectory.release()` if the launch stops before anything is written into it.
    public func reserve(stage: String, model: String, date: Date = Date()) throws -> RunDirectory {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let base = Self.baseID(stage: stage, model: model, date: date)
        var id = base
        var n = 2
        while true {
            let dir = directory(id: id)
            if mkdir(dir.path, 0o755) == 0 { return dir }
            let code = errno
            if code == ENOENT {
                // Another lfm gave back the last reservation and removed the empty runs/ folder.
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
                continue
            }
            guard code == EEXIST else {
                throw FileError.cannotWrite(path: dir.path, reason: String(cString: strerror(code)))
            }
            id = "\(base)-\(n)"
            n += 1
        }
    }

    /// Creates the run directory (and its parents).
    public func create(id: String) throws -> RunDirectory {
        let dir = directory(id: id)
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        return dir
    }

    /// Run ids, oldest first (ids start with the UTC time, so name order is time order).
    public func ids() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/run.json") }.sorted()
    }

    /// An id, a unique prefix of one, or `last`.
    public func resolve(_ ref: String) throws -> RunDirectory {
        let all = ids()
        guard !all.isEmpty else { throw RunError.noRuns(root) }
        if ref == "last" { return directory(id: all.last!) }
        if all.contains(ref) { return directory(id: ref) }
        let matches = all.filter { $0.hasPrefix(ref) }
        if matches.count == 1 { return directory(id: matches[0]) }
        if matches.count > 1 { throw RunError.ambiguous(ref, matches: matches) }
        // A suffix or infix such as `sft-tiny` is also fine when unique.
        let loose = all.filter { $0.contains(ref) }
        if loose.count == 1 { return directory(id: loose[0]) }
        if loose.count > 1 { throw RunError.ambiguous(ref, matches: loose) }
        throw RunError.unknown(ref, known: all)
    }

    /// Reads a run and works out its state; a run that ended while nobody watched (detached, or
    /// lfm killed) gets its run.json completed.
    public func info(_ dir: RunDirectory) throws -> RunInfo {
        var record = try dir.readRecord()
        var status = record.status
        if status == .running {
            if let code = Detacher.readExitCode(from: URL(fileURLWithPath: dir.exitFile)) {
                record.finish(exitCode: code, interrupted: code == 130 || code == 143)
                if let date = Self.modificationDate(dir.exitFile) { record.endTime = RunRecord.timestamp(date) }
                try? dir.write(record)
                status = record.status
            } else if let pid = record.pid, ProcessSystem.isAlive(pid) {
                status = .running
            } else if record.pid == nil, record.detached, !FileManager.default.fileExists(atPath: dir.pidFile) {
                status = .running // still starting
            } else {
                status = .killed
            }
        }
        let progress = ProgressSummary(entries: TrainerLogTail.readAll(path: record.outputDir + "/trainer_log.jsonl"))
        return RunInfo(directory: dir, record: record, status: status, progress: progress)
    }

    public func all() -> [RunInfo] {
        ids().compactMap { try? info(directory(id: $0)) }
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}

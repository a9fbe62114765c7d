import Foundation
import LFMCore
import LFMSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One finished chunk, as written to `journal.jsonl`.
public struct JournalEntry: Sendable, Equatable {
    public var chunkId: String
    public var source: String
    public var records: [JSONValue]
    public var usage: TokenUsage
    /// Records dropped by validation, and reply items that were not examples.
    public var invalid: Int
    public var unusable: Int

    public init(chunkId: String, source: String, records: [JSONValue], usage: TokenUsage, invalid: Int = 0, unusable: Int = 0) {
        self.chunkId = chunkId
        self.source = source
        self.records = records
        self.usage = usage
        self.invalid = invalid
        self.unusable = unusable
    }

    var json: JSONValue {
        .object(JSONObject([
            JSONMember("chunk", .string(chunkId)),
            JSONMember("source", .string(source)),
            JSONMember("records", .array(records)),
            JSONMember("usage", .object(JSONObject([
                JSONMember("prompt_tokens", .int(usage.promptTokens)),
                JSONMember("completion_tokens", .int(usage.completionTokens)),
            ]))),
            JSONMember("invalid", .int(invalid)),
            JSONMember("unusable", .int(unusable)),
        ]))
    }

    init?(json: JSONValue) {
        guard let id = json["chunk"]?.stringValue, let records = json["records"]?.arrayValue else { return nil }
        self.init(chunkId: id, source: json["source"]?.stringValue ?? "", records: records,
                  usage: TokenUsage(promptTokens: json["usage"]?["prompt_tokens"]?.intValue ?? 0,
                                    completionTokens: json["usage"]?["completion_tokens"]?.intValue ?? 0),
                  invalid: json["invalid"]?.intValue ?? 0, unusable: json["unusable"]?.intValue ?? 0)
    }
}

/// The state folder `<out>.lfm-state/` that makes a run resumable:
/// - `journal.jsonl`: one line per finished chunk, appended with a single write(2) + fsync;
///   a torn last line (crash mid-write) is ignored and cut off on open;
/// - `failed/<chunk>.txt`: raw replies of chunks that could not be used, with a hint;
/// - `settings.json`: the options of the run (never the API key);
/// - `lock`: held (flock) while a run uses the folder.
public final class GenerationJournal: @unchecked Sendable {
    public let directory: String
    public var journalPath: String { directory + "/journal.jsonl" }
    public var failedDirectory: String { directory + "/failed" }
    public var settingsPath: String { directory + "/settings.json" }

    /// Entries found on open, by chunk id (last one wins).
    public private(set) var completed: [String: JournalEntry] = [:]
    /// Lines on disk that could not be read (a torn tail included).
    public private(set) var ignoredLines = 0

    private let lock = NSLock()
    private var fd: Int32 = -1
    private var stateLock: FileLock?

    /// Opens (creating) the folder; `fresh` deletes it first.
    public init(directory: String, fresh: Bool) throws(GenerateError) {
        self.directory = directory
        let fm = FileManager.default
        if fresh && fm.fileExists(atPath: directory) {
            do { try fm.removeItem(atPath: directory) } catch { throw .io("cannot remove \(directory): \(error.localizedDescription)") }
        }
        do {
            try fm.createDirectory(atPath: failedDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create state folder \(directory): \(error.localizedDescription)")
        }
        let stateLock = FileLock(path: directory + "/lock")
        // A lock file that cannot be opened does not stop the run (as before); a held one does.
        if (try? stateLock.tryLock()) == false {
            throw .io("another lfm generate is using \(directory); wait for it to finish")
        }
        self.stateLock = stateLock
        try load()
        fd = open(journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot open \(journalPath): \(String(cString: strerror(errno)))") }
    }

    deinit { close() }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 { _ = FileDescriptorIO.close(fd); fd = -1 }
        stateLock?.unlock()
        stateLock = nil
    }

    private func load() throws(GenerateError) {
        guard let data = FileManager.default.contents(atPath: journalPath) else { return }
        let bytes = [UInt8](data)
        var lineStart = 0
        var lastNewline = -1
        for (i, b) in bytes.enumerated() where b == 0x0A {
            lastNewline = i
            let line = Array(bytes[lineStart..<i])
            lineStart = i + 1
            if line.isEmpty { continue }
            if let value = try? JSONParser.parse(line), let entry = JournalEntry(json: value) {
                completed[entry.chunkId] = entry
            } else {
                ignoredLines += 1
            }
        }
        if lastNewline + 1 < bytes.count {
            // A torn last line: cut it off so the next append starts on a line of its own.
            ignoredLines += 1
            if truncate(journalPath, off_t(lastNewline + 1)) != 0 {
                throw .io("cannot repair \(journalPath): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Appends one entry: the whole line in one write(2), then fsync.
    public func append(_ entry: JournalEntry) throws(GenerateError) {
        var line = JSONPrinter(indent: nil).bytes(entry.json)
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { throw .io("journal is closed") }
        let failed = FileDescriptorIO.writeAll(fd, line)
        if failed != 0 { throw .io("cannot append to \(journalPath): \(String(cString: strerror(failed)))") }
        guard fsync(fd) == 0 else { throw .io("cannot sync \(journalPath): \(String(cString: strerror(errno)))") }
        completed[entry.chunkId] = entry
        let failedFile = failedPath(entry.chunkId)
        if FileManager.default.fileExists(atPath: failedFile) { try? FileManager.default.removeItem(atPath: failedFile) }
    }

    public func failedPath(_ chunkId: String) -> String { failedDirectory + "/" + chunkId + ".txt" }

    /// Keeps the raw reply of a chunk that could not be used (already redacted by the caller).
    public func recordFailure(chunk: Chunk, reply: String?, hint: String) throws(GenerateError) {
        var text = "# lfm generate: chunk could not be used\n"
        text += "# chunk: \(chunk.id)\n# source: \(chunk.source)\n"
        if !chunk.heading.isEmpty { text += "# section: \(chunk.heading)\n" }
        text += "# hint: \(hint)\n\n"
        text += reply ?? "(no reply)"
        text += "\n"
        do { try AtomicFile.write(text, to: failedPath(chunk.id)) } catch { throw .io("\(error)") }
    }

    /// Number of files in `failed/`.
    public var failedCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: failedDirectory)) ?? []).filter { $0.hasSuffix(".txt") }.count
    }

    /// The options of the previous run, if any.
    public func loadSettings() -> JSONObject? {
        guard let data = FileManager.default.contents(atPath: settingsPath) else { return nil }
        return (try? JSONParser.parse([UInt8](data)))?.objectValue
    }

    public func saveSettings(_ settings: JSONObject) throws(GenerateError) {
        var bytes = JSONPrinter(indent: 2).bytes(.object(settings))
        bytes.append(0x0A)
        do { try AtomicFile.write(bytes, to: settingsPath) } catch { throw .io("\(error)") }
    }
}

import Foundation
import LFMCore
import LFMSystem

/// Writes records to a `.json` array (indented like Python's `json.dump(indent=2)`) or a
/// `.jsonl` file, streaming, into a temporary file renamed over the destination on `commit()`.
/// With `dryRun` it is a counting sink: the same checks (layout, input protection, an existing
/// output without `force`), and nothing created on disk, not even the directory or a temp file.
public final class RecordWriter {
    public let path: String
    public let layout: RecordLayout
    public let dryRun: Bool
    public private(set) var count = 0
    private let temp: String
    private let handle: FileHandle?
    private var buffer: [UInt8] = []
    private let printer: JSONPrinter
    private var committed = false

    /// The layout a path's extension asks for: `.jsonl` → JSON Lines, `.json` → array.
    public static func layout(for path: String) throws -> RecordLayout {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl": return .jsonLines
        case "json": return .jsonArray
        default: throw ToolError.usage("\(path): the output must end in .json (a JSON array) or .jsonl (JSON Lines)")
        }
    }

    public init(path: String, force: Bool = false, protecting inputs: [String] = [], dryRun: Bool = false) throws {
        self.path = path
        self.dryRun = dryRun
        layout = try Self.layout(for: path)
        let resolved = (path as NSString).resolvingSymlinksInPath
        for input in inputs where (input as NSString).resolvingSymlinksInPath == resolved {
            throw ToolError.usage("the output \(path) is also an input; lfm never modifies its input")
        }
        if FileManager.default.fileExists(atPath: path) && !force { throw ToolError.outputExists(path) }
        printer = JSONPrinter(indent: layout == .jsonArray ? 2 : nil)
        if dryRun {
            temp = ""
            handle = nil
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        temp = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).lfm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temp, contents: nil), let handle = FileHandle(forWritingAtPath: temp) else {
            throw FileError.cannotWrite(path: temp, reason: "cannot create")
        }
        self.handle = handle
        if layout == .jsonArray { buffer.append(UInt8(ascii: "[")) }
    }

    deinit {
        if !committed, let handle {
            if !finished { try? handle.close() }
            unlink(temp)
        }
    }

    public func write(_ record: JSONValue) throws {
        guard !dryRun else {
            count += 1
            return
        }
        switch layout {
        case .jsonArray:
            buffer.append(contentsOf: count == 0 ? "\n  ".utf8 : ",\n  ".utf8)
            printer.write(record, level: 1, into: &buffer)
        default:
            printer.write(record, level: 0, into: &buffer)
            buffer.append(0x0A)
        }
        count += 1
        if buffer.count > 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle?.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private var finished = false

    /// Completes and closes the temporary file without moving it into place, so that it can be
    /// validated first; returns its path (nil in a dry run). Dropping the writer without
    /// `commit()` still removes it.
    @discardableResult
    public func finish() throws -> String? {
        guard let handle else { return nil }
        if finished { return temp }
        if layout == .jsonArray { buffer.append(contentsOf: count == 0 ? "]\n".utf8 : "\n]\n".utf8) }
        try flush()
        try handle.synchronize()
        try handle.close()
        finished = true
        return temp
    }

    /// Finishes the file and moves it into place (nothing to do in a dry run).
    public func commit() throws {
        guard handle != nil else {
            committed = true
            return
        }
        try finish()
        guard rename(temp, path) == 0 else {
            throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        committed = true
    }
}

/// Counts what a conversion could not keep, with the first few record numbers of each kind.
public struct LossLedger: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Encodable {
        public var message: String
        public var count: Int
        /// 0-based record indexes of the first occurrences.
        public var examples: [Int]
    }
    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func add(_ message: String, record: Int) {
        if let i = entries.firstIndex(where: { $0.message == message }) {
            entries[i].count += 1
            if entries[i].examples.count < 5 { entries[i].examples.append(record) }
        } else {
            entries.append(Entry(message: message, count: 1, examples: [record]))
        }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var total: Int { entries.reduce(0) { $0 + $1.count } }
    public func count(_ message: String) -> Int { entries.first { $0.message == message }?.count ?? 0 }
}

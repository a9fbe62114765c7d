import Foundation

/// A fresh directory under the system temporary directory for one test, removed when the value
/// goes away (or by `cleanup()`). The one scratch folder of every test target.
///
/// Its path has symlinks resolved (so it compares equal to what lfm computes) and no spaces
/// (lfm refuses those for runs). Every method takes a path relative to the folder, or an
/// absolute path as is.
public final class TempDir: @unchecked Sendable {
    /// The folder.
    public let path: String

    /// `label` starts the folder's name (`<label>-<uuid>`).
    public init(_ label: String = "lfm-test") throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = (base.path as NSString).resolvingSymlinksInPath
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Removes the folder now.
    public func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    /// The folder (another name for `path`).
    public var root: String { path }
    /// The folder as a file URL.
    public var url: URL { URL(fileURLWithPath: path) }

    /// The full path of `relative` (an absolute path is returned as is).
    public func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : path + "/" + relative
    }

    /// Another name for `path(_:)`.
    public func file(_ relative: String) -> String { path(relative) }

    public func url(_ relative: String) -> URL { URL(fileURLWithPath: path(relative)) }

    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// Writes `text` (parent folders created); `executable` makes it mode 755. Returns the full path.
    @discardableResult
    public func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        try write(relative, Array(text.utf8), executable: executable)
    }

    @discardableResult
    public func write(_ relative: String, _ bytes: [UInt8], executable: Bool = false) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full)
        }
        return full
    }

    /// `write` under the name some tests use.
    @discardableResult
    public func file(_ relative: String, _ text: String) throws -> String { try write(relative, text) }

    /// An executable script (mode 755 unless `mode` says otherwise).
    @discardableResult
    public func script(_ relative: String, _ body: String, mode: Int = 0o755) throws -> String {
        let full = try write(relative, body)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }

    /// An empty file.
    public func touch(_ relative: String) {
        _ = FileManager.default.createFile(atPath: path(relative), contents: Data())
    }

    /// Creates a folder (and its parents). Returns the full path.
    @discardableResult
    public func mkdir(_ relative: String) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }

    /// The file as text; "" when it cannot be read.
    public func read(_ relative: String) -> String {
        (try? String(contentsOfFile: path(relative), encoding: .utf8)) ?? ""
    }

    public func readBytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relative)))
    }

    public func bytes(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

    /// Every file under `relative` with its bytes (registry lock files left out).
    public func snapshot(_ relative: String) -> [String: Data] {
        var result: [String: Data] = [:]
        let root = path(relative)
        guard let walker = FileManager.default.enumerator(atPath: root) else { return result }
        for case let item as String in walker {
            if item.hasSuffix(".dataset_info.json.lock") { continue }
            result[item] = (try? Data(contentsOf: URL(fileURLWithPath: root + "/" + item))) ?? Data()
        }
        return result
    }
}

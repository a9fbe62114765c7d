import Foundation
import LFMSystem
import YAML

extension LFMConfig {
    /// `text` (an lfm.yaml) with its top-level `env:` set to `env`: the line is replaced in place
    /// (or appended), so comments and the order of other settings stay as the user wrote them.
    public static func settingEnv(_ env: String, in text: String) throws -> String {
        let value = try YAMLEmitter.emit(.string(env)).trimmingCharacters(in: .whitespacesAndNewlines)
        var lines = text.components(separatedBy: "\n")
        if let i = lines.firstIndex(where: { $0.hasPrefix("env:") }) {
            lines[i] = "env: \(value)"
        } else {
            if lines.last == "" { lines.removeLast() }
            lines.append("env: \(value)")
            lines.append("")
        }
        let updated = lines.joined(separator: "\n")
        // The edit must read back as exactly this change; otherwise rewrite the whole file.
        var expected = try YAMLParser.parse(text).mapping ?? YAMLMapping()
        expected["env"] = .string(env)
        if let parsed = try? YAMLParser.parse(updated).mapping, parsed == expected { return updated }
        return try YAMLEmitter.emit(.mapping(expected))
    }

    /// Sets `env:` in the lfm.yaml at `path` (atomic). Returns the previous value.
    @discardableResult
    public static func setEnv(_ env: String, configPath path: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError.notFound(path: path) }
        let text = String(decoding: data, as: UTF8.self)
        let previous = try load(path: path).env
        guard previous != env else { return previous }
        try AtomicFile.write(try settingEnv(env, in: text), to: path)
        return previous
    }
}

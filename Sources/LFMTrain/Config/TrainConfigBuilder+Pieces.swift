import Foundation
import LFMCore
import YAML

/// Overrides, config files, DeepSpeed configs and path checks used by rendering.
extension TrainConfigBuilder {
    /// The groups merged back into one mapping, in the order the YAML file has them.
    static func flatten(_ groups: [(comment: String?, mapping: YAMLMapping)]) -> YAMLMapping {
        var result = YAMLMapping()
        for group in groups { result.merge(group.mapping) }
        return result
    }

    /// `z0`, `z2`, `z3`, `z2-offload`, `z3-offload` (also `ds_z3`, `z3_offload`), or a path to a JSON file.
    public func deepSpeedConfig(_ name: String) throws -> (fileName: String, json: String) {
        if name.hasSuffix(".json") {
            let path = Workspace.absolute(name, from: currentDirectory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TrainConfigError(.unknownDeepSpeed, "DeepSpeed config \(path) does not exist")
            }
            return ((path as NSString).lastPathComponent, String(decoding: data, as: UTF8.self))
        }
        var key = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if !key.hasPrefix("ds_") { key = "ds_" + key }
        let available = templates.all().filter { $0.kind == .deepspeed }
        guard let found = available.first(where: { $0.name == key }) else {
            let names = available.map { String($0.name.dropFirst(3)).replacingOccurrences(of: "_", with: "-") }
            var message = "unknown DeepSpeed config \(name)"
            if let s = Suggestion.closest(to: name, in: names) { message += "; did you mean \(s)?" }
            throw TrainConfigError(.unknownDeepSpeed, message,
                                   hint: "choose one of \(names.joined(separator: ", ")) or a .json file")
        }
        return (found.name + ".json", found.text)
    }

    /// Applies `--set key=value` (dotted keys set nested mappings).
    public static func apply(override key: String, _ value: String, to config: inout YAMLMapping) throws {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-"))
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy { allowed.contains($0) } }) else {
            throw TrainConfigError(.badOverride, "--set expects key=value with a LLaMA-Factory key; got \"\(key)=\(value)\"",
                                   hint: "e.g. --set save_strategy=no (`lfm doctor --keys` lists the keys)")
        }
        let node = try ConfigKeys.overrideValue(key: key, text: value)
        func set(_ mapping: inout YAMLMapping, _ path: ArraySlice<String>) {
            let head = path.first!
            if path.count == 1 {
                mapping[head] = node
                return
            }
            var child = mapping[head]?.mapping ?? YAMLMapping()
            set(&child, path.dropFirst())
            mapping[head] = .mapping(child)
        }
        set(&config, parts[...])
    }

    /// Parses `key=value` (as typed after `--set`).
    public static func parseOverride(_ text: String) throws -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw TrainConfigError(.badOverride, "--set expects key=value; got \"\(text)\"", hint: "e.g. --set save_strategy=no")
        }
        return (String(text[..<eq]).trimmingCharacters(in: .whitespaces), String(text[text.index(after: eq)...]))
    }

    static func loadConfigFile(_ path: String) throws -> YAMLMapping {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainConfigError(.badConfigFile, "config file \(path) does not exist", hint: "check the path given to --config")
        }
        do {
            let node = try YAMLParser.parse(String(decoding: data, as: UTF8.self))
            if node.isNull { return YAMLMapping() }
            guard let mapping = node.mapping else {
                throw TrainConfigError(.badConfigFile, "\(path) is not a mapping of LLaMA-Factory settings (key: value)")
            }
            return mapping
        } catch let error as TrainConfigError {
            throw error
        } catch {
            throw TrainConfigError(.badConfigFile, "\(path): \(error)")
        }
    }

    /// LLaMA-Factory's torchrun relaunch joins argv with spaces and splits it again, so a path
    /// with whitespace breaks multi-GPU runs (REFERENCE c.2).
    static func checkNoSpaces(_ path: String, what: String) throws {
        guard path.contains(where: { $0.isWhitespace }) else { return }
        throw TrainConfigError(.pathWithSpaces, "\(what) \"\(path)\" contains a space: LLaMA-Factory's multi-GPU (torchrun) relaunch splits its arguments on spaces and would break it",
                               hint: "move it to a path without spaces (or pass --output-dir)")
    }

    func existingDirectory(_ path: String, what: String) throws -> String {
        let absolute = Workspace.absolute(path, from: currentDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrainConfigError(.missingAdapter, "\(what) \(absolute) does not exist")
        }
        return absolute
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}

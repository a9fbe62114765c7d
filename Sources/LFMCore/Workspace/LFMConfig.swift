import Foundation
import YAML
import LFMSystem

/// lfm's config file (`lfm.yaml`), read and written through the libyaml wrapper.
///
/// ```yaml
/// data_dir: data            # relative to this file
/// env: llamafactory         # conda env name or prefix for `lfm train`
/// defaults:                 # defaults for `lfm train` flags
///   model: llama3
/// ```
public struct LFMConfig: Sendable, Equatable {
    public static let fileName = "lfm.yaml"

    public var dataDir: String?
    public var env: String?
    public var defaults: YAMLMapping
    /// Keys lfm does not know, kept so a rewrite loses nothing.
    public var extra: YAMLMapping

    public init(dataDir: String? = nil, env: String? = nil, defaults: YAMLMapping = YAMLMapping(), extra: YAMLMapping = YAMLMapping()) {
        self.dataDir = dataDir
        self.env = env
        self.defaults = defaults
        self.extra = extra
    }

    public static func load(path: String) throws -> LFMConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError.notFound(path: path)
        }
        let node: YAMLNode
        do {
            node = try YAMLParser.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw ConfigError(path: path, message: "\(error)")
        }
        var config = LFMConfig()
        if node.isNull { return config }
        guard let mapping = node.mapping else {
            throw ConfigError(path: path, message: "expected a mapping of settings (key: value)")
        }
        for (key, value) in mapping {
            switch key {
            case "data_dir": config.dataDir = value.stringValue
            case "env": config.env = value.stringValue
            case "defaults": config.defaults = value.mapping ?? YAMLMapping()
            default: config.extra[key] = value
            }
        }
        return config
    }

    public func yaml() throws -> String {
        var mapping = YAMLMapping()
        if let dataDir { mapping["data_dir"] = .string(dataDir) }
        if let env { mapping["env"] = .string(env) }
        if !defaults.isEmpty { mapping["defaults"] = .mapping(defaults) }
        for (key, value) in extra { mapping[key] = value }
        return try YAMLEmitter.emit(.mapping(mapping))
    }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

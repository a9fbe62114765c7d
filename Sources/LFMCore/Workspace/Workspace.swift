import Foundation
import LFMSystem

/// Where lfm works: the LLaMA-Factory data directory (holding `dataset_info.json`), the
/// workspace root (for runs and config) and the config file, if any.
public struct Workspace: Sendable, Equatable {
    /// How the workspace was found, for messages ("from LLAMAFACTORY_DIR").
    public enum Origin: String, Sendable {
        case flag = "--lf-dir"
        case environment = "LLAMAFACTORY_DIR"
        case config = "lfm.yaml"
        case userConfig = "user config"
        case checkout = "a LLaMA-Factory checkout above the current directory"
    }

    public var root: String
    public var dataDir: String
    public var configPath: String?
    public var origin: Origin
    public var config: LFMConfig

    public var registry: Registry { Registry(dataDir: dataDir) }
    /// Where lfm keeps its own state (runs, caches): `<root>/.lfm`.
    public var stateDir: String { root + "/.lfm" }

    public init(root: String, dataDir: String, configPath: String?, origin: Origin, config: LFMConfig = LFMConfig()) {
        self.root = root
        self.dataDir = dataDir
        self.configPath = configPath
        self.origin = origin
        self.config = config
    }

    /// The variables `resolve` reads, from this process's environment: reading only these (getenv)
    /// instead of building ProcessInfo's whole environment saves start-up time in every command.
    public static func processEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        for name in ["LLAMAFACTORY_DIR", "XDG_CONFIG_HOME", "HOME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }

    /// Finds the workspace: `--lf-dir` → `LLAMAFACTORY_DIR` → `lfm.yaml` (walking up from the
    /// current directory, then `$XDG_CONFIG_HOME/lfm/config.yaml`) → a LLaMA-Factory checkout
    /// (a folder with `data/dataset_info.json`) above the current directory.
    public static func resolve(flag: String?, environment: [String: String], currentDirectory: String) throws -> Workspace {
        var searched: [String] = []
        if let flag, !flag.isEmpty {
            return try open(directory: absolute(flag, from: currentDirectory), origin: .flag)
        }
        if let env = environment["LLAMAFACTORY_DIR"], !env.isEmpty {
            return try open(directory: absolute(env, from: currentDirectory), origin: .environment)
        }
        var directory = standardized(currentDirectory)
        while true {
            let config = (directory == "/" ? "" : directory) + "/" + LFMConfig.fileName  // no "//lfm.yaml"
            searched.append(config)
            if FileManager.default.fileExists(atPath: config) {
                return try open(configPath: config, origin: .config)
            }
            if directory == "/" { break }
            directory = (directory as NSString).deletingLastPathComponent
        }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { $0 + "/.config" }
        if let configHome {
            let userConfig = configHome + "/lfm/config.yaml"
            searched.append(userConfig)
            if FileManager.default.fileExists(atPath: userConfig) {
                let config = try LFMConfig.load(path: userConfig)
                if let workspace = config.extra["workspace"]?.stringValue {
                    return try open(directory: absolute(workspace, from: currentDirectory), origin: .userConfig)
                }
            }
        }
        directory = standardized(currentDirectory)
        while true {
            let registry = (directory == "/" ? "" : directory) + "/data/" + Registry.fileName
            searched.append(registry)
            if FileManager.default.fileExists(atPath: registry) {
                return Workspace(root: directory, dataDir: directory + "/data", configPath: nil, origin: .checkout)
            }
            if directory == "/" { break }
            directory = (directory as NSString).deletingLastPathComponent
        }
        throw WorkspaceError.notFound(searched: searched)
    }

    /// A workspace from an explicit directory: a LLaMA-Factory checkout (with `data/`), a data
    /// directory itself, or an lfm workspace (with `lfm.yaml`).
    public static func open(directory: String, origin: Origin) throws -> Workspace {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory + "/" + LFMConfig.fileName) {
            return try open(configPath: directory + "/" + LFMConfig.fileName, origin: origin)
        }
        if fm.fileExists(atPath: directory + "/data/" + Registry.fileName) {
            return Workspace(root: directory, dataDir: directory + "/data", configPath: nil, origin: origin)
        }
        if fm.fileExists(atPath: directory + "/" + Registry.fileName) {
            return Workspace(root: (directory as NSString).deletingLastPathComponent, dataDir: directory, configPath: nil, origin: origin)
        }
        throw WorkspaceError.notAWorkspace(directory: directory, origin: origin)
    }

    static func open(configPath: String, origin: Origin) throws -> Workspace {
        let config = try LFMConfig.load(path: configPath)
        let root = (configPath as NSString).deletingLastPathComponent
        let dataDir = absolute(config.dataDir ?? "data", from: root)
        guard FileManager.default.fileExists(atPath: dataDir + "/" + Registry.fileName) else {
            throw WorkspaceError.missingRegistry(configPath: configPath, dataDir: dataDir)
        }
        return Workspace(root: root, dataDir: dataDir, configPath: configPath, origin: origin, config: config)
    }

    /// Creates a workspace for a pip-installed LLaMA-Factory: `DIR/data/dataset_info.json` (`{}`)
    /// and `DIR/lfm.yaml`. Existing files are kept.
    public static func initialize(directory: String, env: String?) throws -> (workspace: Workspace, created: [String]) {
        let fm = FileManager.default
        var created: [String] = []
        let dataDir = directory + "/data"
        if !fm.fileExists(atPath: dataDir) {
            try fm.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            created.append(dataDir + "/")
        }
        let registry = dataDir + "/" + Registry.fileName
        if !fm.fileExists(atPath: registry) {
            try AtomicFile.write("{}\n", to: registry)
            created.append(registry)
        }
        let configPath = directory + "/" + LFMConfig.fileName
        if !fm.fileExists(atPath: configPath) {
            let config = LFMConfig(dataDir: "data", env: env)
            try AtomicFile.write("# lfm workspace: LLaMA-Factory data lives in data_dir.\n" + (try config.yaml()), to: configPath)
            created.append(configPath)
        }
        return (try open(configPath: configPath, origin: .config), created)
    }

    public static func absolute(_ path: String, from base: String) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = NSHomeDirectory() + expanded.dropFirst()
        }
        if expanded.hasPrefix("/") { return standardized(expanded) }
        return standardized(base + "/" + expanded)
    }

    /// `.` and `..` removed lexically; symlinks are kept, so a file keeps the name it was given
    /// (NSString.standardizingPath resolves some symlinks on Linux: `data.json -> /dev/null`
    /// became `/dev/null`, a linked `train.json` lost its extension).
    static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

public enum WorkspaceError: Error, Sendable, CustomStringConvertible, UserFacingError {
    case notFound(searched: [String])
    case notAWorkspace(directory: String, origin: Workspace.Origin)
    case missingRegistry(configPath: String, dataDir: String)

    public var errorMessage: String {
        switch self {
        case .notFound(let searched):
            let shown = searched.count > 4 ? Array(searched.prefix(2)) + ["…"] + Array(searched.suffix(2)) : searched
            return "no LLaMA-Factory workspace found (looked at --lf-dir, LLAMAFACTORY_DIR, \(shown.joined(separator: ", ")))"
        default:
            return description
        }
    }

    public var hint: String? {
        guard case .notFound = self else { return nil }
        return "run inside a LLaMA-Factory checkout, pass --lf-dir DIR, set LLAMAFACTORY_DIR, or create one with `lfm init DIR`"
    }

    public var description: String {
        switch self {
        case .notFound:
            return errorMessage + "; " + (hint ?? "")
        case .notAWorkspace(let directory, let origin):
            return "\(directory) (from \(origin.rawValue)) has no data/dataset_info.json, dataset_info.json or lfm.yaml; point it at a LLaMA-Factory checkout or run `lfm init \(directory)`"
        case .missingRegistry(let configPath, let dataDir):
            return "\(configPath) names data_dir \(dataDir), which has no \(Registry.fileName); run `lfm init` there or fix data_dir"
        }
    }
}

import Foundation
import LFMCore
import LFMSystem
import YAML

/// The templates `lfm train`, `lfm export` and `lfm chat` start from.
///
/// Built-ins are the files of the repository's `templates/` folder, embedded in the binary at
/// build time (see the EmbedTemplates plugin). Two folders with the same layout override or add
/// files by name, most specific first:
///
/// 1. `<workspace root>/templates/` (what `lfm templates copy` writes),
/// 2. `$XDG_CONFIG_HOME/lfm/templates/` (default `~/.config/lfm/templates/`),
/// 3. the built-ins.
///
/// Layout: `NAME.yaml` (training, export and chat templates), `methods/NAME.yaml` (method
/// overlays), `deepspeed/NAME.json` (DeepSpeed configs), `models.yaml` (model catalogue, merged
/// entry by entry rather than replaced).
public struct TemplateLibrary: Sendable {
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case builtIn
        case user(path: String)
        case workspace(path: String)

        public var label: String {
            switch self {
            case .builtIn: return "built-in"
            case .user: return "user"
            case .workspace: return "workspace"
            }
        }

        public var path: String? {
            switch self {
            case .builtIn: return nil
            case .user(let path), .workspace(let path): return path
            }
        }

        public var description: String { path.map { "\(label) (\($0))" } ?? label }
    }

    public enum Kind: String, Sendable, CaseIterable {
        /// A full training config for one stage (`sft.yaml`).
        case train
        /// Keys applied on top of a training template for `--method` (`methods/qlora.yaml`).
        case method
        /// `llamafactory-cli export` (merge an adapter).
        case export
        /// `llamafactory-cli chat` / `webchat` / `api`.
        case chat
        /// `llamafactory-cli train` with `do_predict` and no `do_train` (`lfm eval`).
        case predict
        /// A DeepSpeed JSON config (`deepspeed/ds_z3.json`).
        case deepspeed
        /// The model catalogue (`models.yaml`).
        case models
    }

    /// One template file.
    public struct Template: Sendable, Equatable {
        public var name: String
        /// Path relative to a templates folder (`sft.yaml`, `methods/qlora.yaml`).
        public var relativePath: String
        public var kind: Kind
        public var source: Source
        public var text: String
        /// The first `# ` comment line.
        public var summary: String?

        /// The parsed YAML mapping (empty for JSON and for an empty file).
        public func mapping() throws -> YAMLMapping {
            guard kind != .deepspeed else { return YAMLMapping() }
            let node: YAMLNode
            do {
                node = try YAMLParser.parse(text)
            } catch {
                throw TrainConfigError(.templateFile, "template \(name) (\(source)): \(error)")
            }
            if node.isNull { return YAMLMapping() }
            guard let mapping = node.mapping else {
                throw TrainConfigError(.templateFile, "template \(name) (\(source)) is not a mapping of key: value settings")
            }
            return mapping
        }

        /// `stage:` of a training template.
        public var stage: String? {
            guard kind == .train else { return nil }
            return (try? mapping())?["stage"]?.scalarText
        }

        /// lora, qlora or full, from `finetuning_type` and `quantization_bit`.
        public var method: String? {
            switch kind {
            case .method: return name
            case .train:
                guard let m = try? mapping() else { return nil }
                let type = m["finetuning_type"]?.scalarText ?? "lora"
                if type == "lora", m["quantization_bit"] != nil, m["quantization_bit"]?.isNull == false { return "qlora" }
                return type
            default: return nil
            }
        }
    }

    /// Files by relative path for each layer, most specific layer first.
    private let layers: [(source: Source, files: [String: String])]

    /// - Parameters:
    ///   - builtIn: relative path → contents; defaults to the embedded `templates/`.
    ///   - directories: override folders, most specific first.
    public init(builtIn: [String: String] = TemplateLibrary.builtInFiles, directories: [(source: Source, path: String)] = []) {
        var layers: [(source: Source, files: [String: String])] = []
        for directory in directories {
            layers.append((directory.source, Self.readFolder(directory.path)))
        }
        layers.append((.builtIn, builtIn))
        self.layers = layers
    }

    /// The standard search path: the workspace's `templates/`, then the user's, then built-ins.
    public static func standard(workspaceRoot: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> TemplateLibrary {
        var directories: [(source: Source, path: String)] = []
        if let workspaceRoot {
            let path = workspaceDirectory(root: workspaceRoot)
            directories.append((.workspace(path: path), path))
        }
        if let path = userDirectory(environment: environment) {
            directories.append((.user(path: path), path))
        }
        return TemplateLibrary(directories: directories)
    }

    public static func workspaceDirectory(root: String) -> String { root + "/templates" }

    /// `$XDG_CONFIG_HOME/lfm/templates`, else `$HOME/.config/lfm/templates`.
    public static func userDirectory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/lfm/templates" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/lfm/templates" }
        return nil
    }

    /// The embedded copy of the repository's `templates/` folder (relative path → contents).
    public static let builtInFiles: [String: String] = {
        var files: [String: String] = [:]
        for (path, base64) in EmbeddedTemplateFiles.base64 {
            if let data = Data(base64Encoded: base64) {
                files[path] = String(decoding: data, as: UTF8.self)
            }
        }
        return files
    }()

    // MARK: lookup

    /// Every template, deduplicated by name (the most specific layer wins), sorted by kind then name.
    public func all() -> [Template] {
        var seen: [String: Template] = [:]
        for layer in layers.reversed() {
            for (path, text) in layer.files {
                guard let (name, kind) = Self.classify(path) else { continue }
                seen["\(kind.rawValue)/\(name)"] = Self.template(name: name, kind: kind, path: path, text: text, source: layer.source)
            }
        }
        let order = Dictionary(uniqueKeysWithValues: Kind.allCases.enumerated().map { ($1, $0) })
        let stageOrder = ["sft": 0, "dpo": 1, "kto": 2, "rm": 3, "pt": 4]
        return seen.values.sorted { a, b in
            if a.kind != b.kind { return order[a.kind]! < order[b.kind]! }
            let sa = stageOrder[a.name] ?? 99, sb = stageOrder[b.name] ?? 99
            if sa != sb { return sa < sb }
            return a.name < b.name
        }
    }

    /// A template by name, optionally of one kind. Throws with a suggestion when unknown.
    public func template(named name: String, kind: Kind? = nil) throws -> Template {
        let candidates = all().filter { kind == nil || $0.kind == kind }
        // `templates show methods/qlora.yaml` and `show qlora.yaml` work too.
        let bare = (name as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
            .replacingOccurrences(of: ".json", with: "")
        if let found = candidates.first(where: { $0.name == bare }) { return found }
        var message = "no \(kind.map { "\($0.rawValue) " } ?? "")template named \(name)"
        if let suggestion = Suggestion.closest(to: bare, in: candidates.map(\.name)) {
            message += "; did you mean \(suggestion)?"
        }
        throw TrainConfigError(.unknownTrainingTemplate, message, hint: "`lfm templates` lists them")
    }

    /// The `models.yaml` texts, least specific first (built-in, user, workspace).
    public func modelCatalogueTexts() -> [(source: Source, text: String)] {
        layers.reversed().compactMap { layer in layer.files["models.yaml"].map { (layer.source, $0) } }
    }

    /// The model catalogue: built-in entries, then user and workspace entries added or replacing by name.
    public func modelCatalog() throws -> ModelCatalog {
        var catalog = ModelCatalog()
        for (source, text) in modelCatalogueTexts() {
            try catalog.merge(yaml: text, source: source)
        }
        return catalog
    }

    /// Template `name`, or the model catalogue for `models` / `models.yaml` (what `lfm templates
    /// show` and `copy` accept).
    public func templateOrModels(named name: String) throws -> Template {
        if name == "models" || name == "models.yaml", let models = all().first(where: { $0.kind == .models }) {
            return models
        }
        return try template(named: name)
    }

    // MARK: copy

    /// Writes an editable copy of template `name` into `directory` (default: the workspace's
    /// `templates/`), keeping its sub-folder (`methods/`, `deepspeed/`). Refuses to replace an
    /// existing file unless `force`. With `dryRun` nothing is written.
    /// - Returns: the destination path and whether a file was (or would be) replaced.
    @discardableResult
    public func copy(_ name: String, to directory: String, force: Bool = false, dryRun: Bool = false) throws -> (path: String, replaced: Bool) {
        let template = try templateOrModels(named: name)
        let destination = directory + "/" + template.relativePath
        let exists = FileManager.default.fileExists(atPath: destination)
        if exists && !force {
            throw TrainConfigError(.exists, "\(destination) already exists", hint: "pass --force to replace it")
        }
        if !dryRun {
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(template.text, to: destination)
        }
        return (destination, exists)
    }

    // MARK: helpers

    static func classify(_ path: String) -> (name: String, kind: Kind)? {
        if path == "models.yaml" { return ("models", .models) }
        let parts = path.split(separator: "/").map(String.init)
        func stem(_ file: String, _ ext: String) -> String? {
            file.hasSuffix(ext) && file.count > ext.count ? String(file.dropLast(ext.count)) : nil
        }
        if parts.count == 2, parts[0] == "methods", let name = stem(parts[1], ".yaml") { return (name, .method) }
        if parts.count == 2, parts[0] == "deepspeed", let name = stem(parts[1], ".json") { return (name, .deepspeed) }
        if parts.count == 1, let name = stem(parts[0], ".yaml") ?? stem(parts[0], ".yml") {
            return (name, .train)  // refined from the contents in `template(...)`
        }
        return nil
    }

    static func template(name: String, kind: Kind, path: String, text: String, source: Source) -> Template {
        var kind = kind
        if kind == .train, let mapping = (try? YAMLParser.parse(text))?.mapping {
            if mapping["export_dir"] != nil {
                kind = .export
            } else if mapping["do_predict"]?.scalarText == "true", mapping["do_train"]?.scalarText != "true" {
                kind = .predict
            } else if mapping["stage"] == nil {
                kind = .chat
            }
        }
        let summary = text.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) }
        let sourceWithPath: Source
        switch source {
        case .builtIn: sourceWithPath = .builtIn
        case .user(let dir): sourceWithPath = .user(path: dir + "/" + path)
        case .workspace(let dir): sourceWithPath = .workspace(path: dir + "/" + path)
        }
        return Template(name: name, relativePath: path, kind: kind, source: sourceWithPath, text: text,
                        summary: kind == .deepspeed ? "DeepSpeed \(name.replacingOccurrences(of: "ds_", with: "").replacingOccurrences(of: "_", with: " "))" : summary)
    }

    /// Reads `*.yaml`/`*.yml` at the top, `methods/*.yaml`, `deepspeed/*.json` and `models.yaml`.
    static func readFolder(_ directory: String) -> [String: String] {
        let fm = FileManager.default
        var files: [String: String] = [:]
        for sub in ["", "methods/", "deepspeed/"] {
            guard let names = try? fm.contentsOfDirectory(atPath: directory + "/" + sub) else { continue }
            for name in names where !name.hasPrefix(".") {
                let relative = sub + name
                guard classify(relative) != nil, let data = fm.contents(atPath: directory + "/" + relative) else { continue }
                files[relative] = String(decoding: data, as: UTF8.self)
            }
        }
        return files
    }
}

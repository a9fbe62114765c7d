import Foundation
import LFMCore
import YAML

/// Short model names (`llama3`, `qwen2.5-7b`) → Hugging Face id and LLaMA-Factory chat template,
/// read from `models.yaml` files:
///
/// ```yaml
/// llama3:
///   hf: meta-llama/Meta-Llama-3-8B-Instruct
///   template: llama3
///   note: free text shown by `lfm models`
/// ```
public struct ModelCatalog: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var hfID: String
        public var template: String
        public var note: String?
        public var source: TemplateLibrary.Source

        public init(name: String, hfID: String, template: String, note: String? = nil, source: TemplateLibrary.Source = .builtIn) {
            self.name = name
            self.hfID = hfID
            self.template = template
            self.note = note
            self.source = source
        }
    }

    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    public init(entries: [Entry] = []) {
        for entry in entries { add(entry) }
    }

    /// The built-in catalogue overlaid with the user's and the workspace's `models.yaml`.
    public static func standard(library: TemplateLibrary) throws -> ModelCatalog {
        try library.modelCatalog()
    }

    public var names: [String] { entries.map(\.name) }

    /// Adds an entry, or replaces the one with the same name (keeping its position).
    public mutating func add(_ entry: Entry) {
        let key = entry.name.lowercased()
        if let i = index[key] {
            entries[i] = entry
        } else {
            index[key] = entries.count
            entries.append(entry)
        }
    }

    /// Adds or replaces the entries of a `models.yaml` text.
    public mutating func merge(yaml text: String, source: TemplateLibrary.Source) throws {
        let where_ = source.path ?? "built-in models.yaml"
        let node: YAMLNode
        do {
            node = try YAMLParser.parse(text)
        } catch {
            throw TrainConfigError(.templateFile, "\(where_): \(error)")
        }
        if node.isNull { return }
        guard let mapping = node.mapping else {
            throw TrainConfigError(.templateFile, "\(where_): expected a mapping of short names to {hf: ..., template: ...}")
        }
        for (name, value) in mapping {
            guard let hf = value["hf"]?.scalarText, !hf.isEmpty else {
                throw TrainConfigError(.templateFile, "\(where_): model \(name) needs `hf: org/name` (a Hugging Face id or a local directory)")
            }
            guard let template = value["template"]?.scalarText, !template.isEmpty else {
                throw TrainConfigError(.templateFile, "\(where_): model \(name) needs `template:` (one of LLaMA-Factory's chat templates)")
            }
            guard ChatTemplates.isKnown(template) else {
                let hint = Suggestion.closest(to: template, in: ChatTemplates.names).map { "; did you mean \($0)?" } ?? ""
                throw TrainConfigError(.unknownTemplate, "\(where_): model \(name) has template \(template), which LLaMA-Factory does not know\(hint)")
            }
            add(Entry(name: name, hfID: hf, template: template, note: value["note"]?.scalarText, source: source))
        }
    }

    /// The entry for a short name (case-insensitive).
    public func entry(named name: String) -> Entry? {
        index[name.lowercased()].map { entries[$0] }
    }

    /// The first entry whose Hugging Face id is `id` (case-insensitive), to know its template.
    public func entry(hfID id: String) -> Entry? {
        let lower = id.lowercased()
        return entries.first { $0.hfID.lowercased() == lower }
    }
}

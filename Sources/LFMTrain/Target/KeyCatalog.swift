import Foundation
import LFMCore
import YAML

/// The config keys one LLaMA-Factory version accepts, read from its own argument dataclasses
/// (`ProbeScript`): which dataclasses each subcommand parses, and each field's type and choices.
/// LLaMA-Factory hands the YAML as a dict to `HfArgumentParser.parse_dict`, which refuses
/// unknown keys ("Some keys are not used by the HfArgumentParser") but does not convert or
/// check types: `bf16: maybe` reaches the trainer as a string. lfm checks both before launch.
public struct KeyCatalog: Codable, Sendable, Equatable {
    public struct Field: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case bool, int, float, str, choice, any }
        public var kind: Kind
        public var optional: Bool
        public var choices: [String]?

        public init(kind: Kind, optional: Bool = false, choices: [String]? = nil) {
            self.kind = kind
            self.optional = optional
            self.choices = choices
        }

        public var typeName: String {
            switch kind {
            case .bool: return "true or false"
            case .int: return "an integer"
            case .float: return "a number"
            case .str: return "a string"
            case .choice: return "one of " + (choices ?? []).joined(separator: ", ")
            case .any: return "any value"
            }
        }
    }

    /// The LLaMA-Factory version the catalog was read from.
    public var llamafactory: String?
    /// `train`, `chat`, `export`, `eval` → dataclass names.
    public var subcommands: [String: [String]]
    /// Dataclass name → its field names.
    public var classes: [String: [String]]
    public var fields: [String: Field]

    public init(llamafactory: String?, subcommands: [String: [String]], classes: [String: [String]], fields: [String: Field]) {
        self.llamafactory = llamafactory
        self.subcommands = subcommands
        self.classes = classes
        self.fields = fields
    }

    /// The keys `subcommand` accepts (empty for a subcommand the catalog does not know).
    public func keys(for subcommand: String) -> Set<String> {
        Set((subcommands[subcommand] ?? []).flatMap { classes[$0] ?? [] })
    }

    /// Every problem with `mapping`'s top-level keys for `subcommand`, in key order.
    /// - Parameter origin: where a key came from, for the message (`--set`, `--config FILE`).
    public func check(_ mapping: YAMLMapping, subcommand: String, origin: (String) -> String = { _ in "the config" }) -> [KeyProblem] {
        let accepted = keys(for: subcommand)
        guard !accepted.isEmpty else { return [] }
        var problems: [KeyProblem] = []
        for (key, value) in mapping {
            let from = origin(key)
            guard accepted.contains(key) else {
                let others = subcommands.keys.sorted().filter { $0 != subcommand && keys(for: $0).contains(key) }
                if !others.isEmpty {
                    problems.append(KeyProblem(key: key, origin: from, kind: .otherSubcommand,
                                               message: "\(key) is a key of llamafactory-cli \(others.joined(separator: "/")), not \(subcommand)",
                                               fix: "remove it from \(from)"))
                } else {
                    let suggestion = Suggestion.closest(to: key, in: accepted.sorted())
                    problems.append(KeyProblem(key: key, origin: from, kind: .unknown,
                                               message: "LLaMA-Factory \(llamafactory ?? "") does not know the key \(key)"
                                                   + (suggestion.map { "; did you mean \($0)?" } ?? ""),
                                               fix: suggestion.map { "use \($0) in \(from)" } ?? "remove it from \(from) (see `lfm doctor --keys`)",
                                               suggestion: suggestion))
                }
                continue
            }
            guard let field = fields[key], let problem = Self.typeProblem(value, field: field) else { continue }
            problems.append(KeyProblem(key: key, origin: from, kind: field.kind == .choice ? .choice : .type,
                                       message: "\(key): \(problem) (from \(from)); LLaMA-Factory expects \(field.typeName)",
                                       fix: "set \(key) to \(field.typeName)"))
        }
        return problems
    }

    /// Throws `KeyCheckError` when `mapping` has keys `subcommand` would refuse or misread.
    public func require(_ mapping: YAMLMapping, subcommand: String, source: String,
                        origin: (String) -> String = { _ in "the config" }) throws {
        let problems = check(mapping, subcommand: subcommand, origin: origin)
        if !problems.isEmpty { throw KeyCheckError(problems: problems, source: source) }
    }

    /// Why `value` does not fit `field`, or nil when it does.
    static func typeProblem(_ value: YAMLNode, field: Field) -> String? {
        guard let scalar = value.scalar else {
            switch field.kind {
            case .any, .str: return nil  // lists for `dataset`, dicts for `*_kwargs`
            default: return "a \(value.sequence != nil ? "list" : "mapping") is not allowed"
            }
        }
        let shown = "\"\(scalar.text)\""
        switch (field.kind, scalar.kind) {
        case (_, .null):
            return field.optional || field.kind == .any || field.kind == .str ? nil : "null is not allowed"
        case (.any, _), (.str, _):
            return nil
        case (.bool, .bool):
            return nil
        case (.bool, _):
            return "\(shown) is not a boolean"
        case (.int, .int):
            return nil
        case (.int, _):
            return "\(shown) is not an integer"
        case (.float, .int), (.float, .float):
            return nil
        case (.float, _):
            return "\(shown) is not a number"
        case (.choice, .string), (.choice, .int), (.choice, .float):
            return (field.choices ?? []).contains(scalar.text) ? nil : "\(shown) is not allowed"
        case (.choice, .bool):
            // `save_strategy: no` is the boolean false in YAML 1.1 (PyYAML, OmegaConf).
            return (field.choices ?? []).contains(scalar.text)
                ? "\(scalar.text) is read as a boolean by YAML; quote it (\"\(scalar.text)\")"
                : "\(shown) is not allowed"
        case (.choice, _):
            return "\(shown) is not allowed"
        }
    }
}

/// One key LLaMA-Factory would refuse or misread.
public struct KeyProblem: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case unknown, type, choice
        /// A key of another subcommand (a train key in an export config).
        case otherSubcommand = "other_subcommand"
    }

    public var key: String
    /// Where the key came from (`--set`, `--config FILE`, `template sft`).
    public var origin: String
    public var kind: Kind
    public var message: String
    public var fix: String
    public var suggestion: String?

    public init(key: String, origin: String, kind: Kind, message: String, fix: String, suggestion: String? = nil) {
        self.key = key
        self.origin = origin
        self.kind = kind
        self.message = message
        self.fix = fix
        self.suggestion = suggestion
    }
}

/// The config has keys LLaMA-Factory would refuse or misread; nothing was launched.
public struct KeyCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [KeyProblem]
    public var source: String

    public init(problems: [KeyProblem], source: String) {
        self.problems = problems
        self.source = source
    }

    public var description: String {
        var lines = problems.map(\.message)
        if problems.count > 1 { lines[0] = "\(problems.count) config keys would fail in LLaMA-Factory:\n  " + lines[0] }
        let hint = problems.count == 1 ? problems[0].fix : "fix each key above"
        return lines.joined(separator: "\n  ") + "\nhint: \(hint) (keys checked against \(source))"
    }
}

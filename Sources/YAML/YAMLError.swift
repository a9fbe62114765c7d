/// An error from parsing or emitting YAML.
///
/// `line` and `column` are 1-based and point at libyaml's `problem_mark`
/// (or at the node concerned for errors found while building the tree).
/// `description` reads like `line 3, column 5: mapping values are not allowed
/// in this context`.
public struct YAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Invalid input bytes (bad UTF-8, control characters).
        case reader
        /// libyaml's scanner or parser rejected the text.
        case syntax
        /// The text is valid YAML that lfm's tree cannot hold or resolve
        /// (undefined or recursive alias, non-scalar or duplicate key, bad merge).
        case composer
        /// libyaml's emitter rejected an event, or the output failed.
        case emitter
        /// libyaml could not allocate memory.
        case memory
    }

    public var kind: Kind
    /// libyaml's `problem` text (or ours for composer errors).
    public var problem: String
    public var line: Int?
    public var column: Int?
    /// libyaml's `context` text, e.g. "while parsing a block mapping".
    public var context: String?

    public init(_ kind: Kind, problem: String, line: Int? = nil, column: Int? = nil, context: String? = nil) {
        self.kind = kind
        self.problem = problem
        self.line = line
        self.column = column
        self.context = context
    }

    public var description: String {
        if let line, let column { return "line \(line), column \(column): \(problem)" }
        return problem
    }
}

import Foundation

/// Rules for registry names: what LLaMA-Factory's `dataset: a,b` list and file systems accept.
public enum DatasetName {
    /// Why `name` cannot be used, or nil when it is fine.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.contains(",") { return "\"\(name)\" contains a comma, which splits LLaMA-Factory's `dataset: a,b` list" }
        if name.contains("/") || name.contains("\\") { return "\"\(name)\" contains a path separator; a name is a key, not a path" }
        if name == "." || name == ".." || name.contains("..") { return "\"\(name)\" contains \"..\"" }
        if name.unicodeScalars.contains(where: DisplayText.isControl) { return "\"\(DisplayText.escaped(name))\" contains a control character" }
        if let hidden = name.unicodeScalars.first(where: { DisplayText.isBidiControl($0) || DisplayText.isZeroWidth($0) }) {
            let kind = DisplayText.isBidiControl(hidden) ? "a bidirectional control character" : "a zero-width character"
            return "\"\(DisplayText.escaped(name))\" contains \(kind) (U+\(String(hidden.value, radix: 16, uppercase: true))), which makes the name look like another"
        }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true { return "\"\(name)\" starts or ends with whitespace, which LLaMA-Factory strips" }
        if name.contains(" ") { return "\"\(name)\" contains a space; use - or _ (torchrun re-launches split arguments on spaces)" }
        return nil
    }

    /// A usable name derived from a file name: `My Data.v2.json` → `My_Data.v2`.
    public static func from(fileName: String) -> String {
        var base = fileName
        if let slash = base.lastIndex(of: "/") { base = String(base[base.index(after: slash)...]) }
        for ext in [".jsonl", ".json", ".txt", ".csv", ".parquet", ".arrow"] where base.lowercased().hasSuffix(ext) {
            base = String(base.dropLast(ext.count))
            break
        }
        let cleaned = base.map { c -> Character in
            (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_"
        }
        let name = String(cleaned).replacingOccurrences(of: "..", with: "_")
        return name.isEmpty ? "dataset" : name
    }
}

/// `error:` and `hint:` lines of a refused registration (the root prints them; commands just try).
extension RegisterError: UserFacingError {
    public var errorMessage: String {
        switch self {
        case .fileExists(let path): return "\(path) already exists and differs from the file being registered"
        case .fileInUse(let path, let users):
            return "\(path) is the file of \(users.map { "\"\($0)\"" }.joined(separator: ", ")); --force replaces this name's entry, never another entry's data"
        case .badName, .badPlacement: return Self.split(description).message
        case .badFile, .undetectable, .invalid: return description
        }
    }

    public var hint: String? {
        switch self {
        case .fileExists: return "pass --name NEW to store it under another name, or --force to replace it (the old file is kept as .bak)"
        case .fileInUse: return "pass --name NEW to store it under another name"
        case .badName, .badPlacement: return Self.split(description).hint
        case .invalid(let report): return "`lfm validate \(report.path)` lists every problem"
        case .badFile, .undetectable: return nil
        }
    }

    /// "problem; what to do" → the problem and the fix.
    private static func split(_ text: String) -> (message: String, hint: String?) {
        guard let range = text.range(of: "; ", options: .backwards) else { return (text, nil) }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }
}

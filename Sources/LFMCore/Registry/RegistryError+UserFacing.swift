/// A registry error as people see it: what is wrong on the `error:` line, what to do on the
/// `hint:` line (`description` keeps both on one line, for reports that embed it).
extension RegistryError: UserFacingError {
    public var errorMessage: String {
        switch self {
        case .invalidJSON(let path, let error):
            return "\(path) is not valid JSON (line \(error.line), column \(error.column): \(error.message)); lfm will not overwrite it"
        case .missing(let path):
            return "\(path) does not exist"
        case .unusable(let path, let problem):
            return "\(path) \(problem); LLaMA-Factory cannot read it either"
        case .byteOrderMark(let path):
            return "\(path) starts with a UTF-8 byte order mark, which LLaMA-Factory's json.load refuses (\"Cannot open \(path)\")"
        case .readOnly(let path, let mode):
            return "\(path) is read-only (mode \(String(mode, radix: 8))); lfm will not replace it"
        case .nameTaken(let name, let path):
            return "a dataset named \"\(name)\" is already registered in \(path)"
        case .notFound(let name, let path, _):
            return "no dataset named \"\(name)\" in \(path)"
        }
    }

    public var hint: String? {
        switch self {
        case .invalidJSON(let path, _):
            return "fix it by hand or restore \(path).bak"
        case .missing:
            return "run `lfm init` to create a workspace"
        case .unusable(let path, _):
            return "make it a readable JSON file (or restore \(path).bak)"
        case .byteOrderMark(let path):
            return "remove the first 3 bytes: sed -i '1s/^\\xEF\\xBB\\xBF//' \(path)"
        case .readOnly(let path, _):
            return "make it writable (chmod u+w \(path)) if it should change"
        case .nameTaken:
            return "pass --force to replace it or --name to choose another name"
        case .notFound(_, _, let suggestion):
            return (suggestion.map { "did you mean \"\($0)\"? " } ?? "") + "`lfm list` shows the registered datasets"
        }
    }
}

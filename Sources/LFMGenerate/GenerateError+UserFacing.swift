import LFMCore

/// A generate error as people see it: the problem on the `error:` line, the fix on `hint:`.
extension GenerateError: UserFacingError {
    public var errorMessage: String {
        switch self {
        case .missingAPIKey(let variable): return "no API key: \(variable) is not set"
        default: return description
        }
    }

    public var hint: String? {
        switch self {
        case .missingAPIKey(let variable):
            return "export \(variable)=YOUR_KEY (or pass --api-key-env NAME for another variable)"
        case .httpUnavailable:
            return "install libcurl: apt-get install libcurl4 (dnf install libcurl; --dry-run works without it)"
        default: return nil
        }
    }
}

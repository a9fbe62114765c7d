import LFMCore

/// How a dataset tool's error is shown: `.usage` is a bad combination of options (exit 64),
/// everything else a failure (exit 1).
extension ToolError: UserFacingError {
    public var exitStatus: Int32 {
        if case .usage = self { return 64 }
        return 1
    }
}

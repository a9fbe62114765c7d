import Foundation

/// What a type that runs command-line tools holds: the environment the tools get and the runner
/// that starts them. The one place their defaults are chosen: lfm's own environment and a
/// `FoundationProcessRunner`.
public struct ProcessContext: Sendable {
    public var environment: [String: String]
    public var runner: any ProcessRunner

    /// `nil`: lfm's own environment, a plain `FoundationProcessRunner`.
    public init(environment: [String: String]? = nil, runner: (any ProcessRunner)? = nil) {
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.runner = runner ?? FoundationProcessRunner()
    }
}

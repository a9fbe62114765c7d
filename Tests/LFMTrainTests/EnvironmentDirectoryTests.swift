import Foundation
import Testing
@testable import LFMTrain

/// A relative `--env ./venv` is resolved from the directory the command was given, not from the
/// process's working directory.
@Suite struct EnvironmentDirectoryTests {
    @Test func aRelativeEnvIsResolvedFromTheGivenDirectory() async throws {
        let s = try TempDir()
        let prefix = try s.fakePrefix("project/venv")
        let resolver = EnvironmentResolver(environment: ["PATH": "/usr/bin:/bin"], currentDirectory: s.path("project"))
        let env = try await resolver.resolve(flag: "./venv", configured: nil)
        #expect(env.prefix == prefix)
        let elsewhere = EnvironmentResolver(environment: ["PATH": "/usr/bin:/bin"], currentDirectory: s.root)
        await #expect(throws: EnvironmentError.self) { try await elsewhere.resolve(flag: "./venv", configured: nil) }
    }
}

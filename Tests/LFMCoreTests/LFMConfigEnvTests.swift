import Foundation
import Testing
import LFMCore

/// `lfm init --env` run again: lfm.yaml's `env:` is edited in place.
@Suite struct LFMConfigEnvTests {
    @Test func replacesTheEnvLineKeepingCommentsAndOrder() throws {
        let text = "# my workspace\ndata_dir: data\nenv: old   # the GPU box\ndefaults:\n  model: llama3\n"
        let updated = try LFMConfig.settingEnv("/opt/venvs/lf", in: text)
        #expect(updated == "# my workspace\ndata_dir: data\nenv: /opt/venvs/lf\ndefaults:\n  model: llama3\n")
    }

    @Test func appendsWhenMissingAndQuotesWhatYAMLWouldMisread() throws {
        #expect(try LFMConfig.settingEnv("lf", in: "data_dir: data\n") == "data_dir: data\nenv: lf\n")
        let quoted = try LFMConfig.settingEnv("yes", in: "data_dir: data\n")
        #expect(quoted.contains("env: 'yes'") || quoted.contains("env: \"yes\""), "\(quoted)")
    }
}

import Foundation
import Testing

/// --lf-dir > LLAMAFACTORY_DIR > lfm.yaml walking up > a LLaMA-Factory checkout walking up, and
/// one line of error when nothing is found.
@Suite("Workspace resolution", .enabled(if: binaryAvailable))
struct WorkspaceResolutionTests {
    /// Writes a workspace whose registry holds one entry named `marker`.
    static func workspace(_ dir: TempDir, _ relative: String, marker: String, config: Bool) throws {
        try dir.write(relative + "/data/dataset_info.json", "{\n  \"\(marker)\": {\n    \"hf_hub_url\": \"x/\(marker)\"\n  }\n}\n")
        if config { try dir.write(relative + "/lfm.yaml", "data_dir: data\n") }
    }

    /// The registry `lfm list` used.
    static func registry(_ cwd: String, _ arguments: [String] = [], environment: [String: String?] = [:]) async throws -> String? {
        let result = try await lfm(["list", "--json"] + arguments, cwd: cwd, environment: environment)
        return (result.json as? [String: Any])?["registry"] as? String
    }

    /// Whether a directory above the temporary directory would be found by the walk up, which
    /// would make "nothing found" untestable on this machine.
    static let cleanAncestors: Bool = {
        var dir = (FileManager.default.temporaryDirectory.path as NSString).resolvingSymlinksInPath
        while true {
            if FileManager.default.fileExists(atPath: dir + "/lfm.yaml") || FileManager.default.fileExists(atPath: dir + "/data/dataset_info.json") { return false }
            if dir == "/" { return true }
            dir = (dir as NSString).deletingLastPathComponent
        }
    }()

    @Test("precedence: --lf-dir, then LLAMAFACTORY_DIR, then lfm.yaml above, then a checkout above", .enabled(if: cleanAncestors))
    func precedence() async throws {
        let dir = try TempDir()
        try Self.workspace(dir, "flag", marker: "from_flag", config: false)
        try Self.workspace(dir, "env", marker: "from_env", config: true)
        // A checkout that contains an lfm workspace deeper down.
        try Self.workspace(dir, "checkout", marker: "from_checkout", config: false)
        try Self.workspace(dir, "checkout/work", marker: "from_config", config: true)
        // lfm.yaml may point data_dir elsewhere.
        try dir.write("checkout/work/lfm.yaml", "data_dir: ../shared-data\n")
        try Self.workspace(dir, "checkout/shared", marker: "unused", config: false)
        try dir.write("checkout/shared-data/dataset_info.json", "{}\n")
        let deep = try dir.mkdir("checkout/work/a/b/c")
        let besideWork = try dir.mkdir("checkout/other/d")

        let flag = dir.path + "/flag/data/dataset_info.json"
        let env = dir.path + "/env/data/dataset_info.json"
        let config = dir.path + "/checkout/shared-data/dataset_info.json"
        let checkout = dir.path + "/checkout/data/dataset_info.json"

        #expect(try await Self.registry(deep, ["--lf-dir", dir.path + "/flag"], environment: ["LLAMAFACTORY_DIR": dir.path + "/env"]) == flag)
        #expect(try await Self.registry(deep, environment: ["LLAMAFACTORY_DIR": dir.path + "/env"]) == env)
        #expect(try await Self.registry(deep, environment: ["LLAMAFACTORY_DIR": ""]) == config)
        #expect(try await Self.registry(deep) == config)
        #expect(try await Self.registry(besideWork) == checkout)
        // --lf-dir may name the data directory itself, relative to the current directory.
        #expect(try await Self.registry(dir.path + "/flag", ["--lf-dir", "data"]) == flag)
    }

    @Test("a user config names a default workspace; lfm.yaml above the current directory still wins", .enabled(if: cleanAncestors))
    func userConfig() async throws {
        let dir = try TempDir()
        try Self.workspace(dir, "home-ws", marker: "from_user_config", config: false)
        try dir.write("xdg/lfm/config.yaml", "workspace: \(dir.path)/home-ws\n")
        let nowhere = try dir.mkdir("nowhere")
        #expect(try await Self.registry(nowhere, environment: ["XDG_CONFIG_HOME": dir.path + "/xdg"]) == dir.path + "/home-ws/data/dataset_info.json")
        try Self.workspace(dir, "nowhere/ws", marker: "local", config: true)
        let inside = try dir.mkdir("nowhere/ws/sub")
        #expect(try await Self.registry(inside, environment: ["XDG_CONFIG_HOME": dir.path + "/xdg"]) == dir.path + "/nowhere/ws/data/dataset_info.json")
    }

    @Test("nothing found: exit 1 and a one-line error that says what to do", .enabled(if: cleanAncestors))
    func nothingFound() async throws {
        let dir = try TempDir()
        let empty = try dir.mkdir("empty/deeper")
        let result = try await lfm(["list"], cwd: empty)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: no LLaMA-Factory workspace found"))
        #expect(lines.last?.hasPrefix("hint: run inside a LLaMA-Factory checkout") == true)
        #expect(result.stderr.contains("lfm init"))
        #expect(result.stderr.contains("--lf-dir"))
    }

    @Test("a bad --lf-dir or LLAMAFACTORY_DIR is an error, not a fallback", arguments: [true, false])
    func badExplicitDirectory(_ viaFlag: Bool) async throws {
        let dir = try TempDir()
        try Self.workspace(dir, "good", marker: "good", config: false)
        let bogus = try dir.mkdir("not-a-workspace")
        let cwd = try dir.mkdir("good/sub")
        let result = try await lfm(["list"] + (viaFlag ? ["--lf-dir", bogus] : []), cwd: cwd, environment: viaFlag ? [:] : ["LLAMAFACTORY_DIR": bogus])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(bogus) (from \(viaFlag ? "--lf-dir" : "LLAMAFACTORY_DIR")) has no data/dataset_info.json"))
    }
}

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8, "should also be right" (file system and registry): symlinked files keep their own
/// name, messages say what is really wrong, a registry LLaMA-Factory cannot read is reported,
/// `lfm list` prints no raw escape sequences, and a failing command changes nothing.
@Suite("Registry messages", .enabled(if: binaryAvailable))
struct RegistryMessageTests {
    @Test("a file reached through a symlink registers under the link's name and extension (Hugging Face cache)")
    func huggingFaceCacheLayout() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try dir.write("hub/blobs/9f86d081884c7d659a2feaa0c55ad015", alpacaRecord)
        _ = try dir.mkdir("hub/snapshots/abc123")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/hub/snapshots/abc123/train.json",
                                                   withDestinationPath: "../../blobs/9f86d081884c7d659a2feaa0c55ad015")
        let result = try await lfmAwait(["register", dir.path + "/hub/snapshots/abc123/train.json", "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.output)")
        #expect((try registryObject(root)["train"] as? [String: Any])?["file_name"] as? String == "train.json")
        #expect(entryKind(root + "/data/train.json") == "file", "the copy is not a plain file")
    }

    @Test("an unusable dataset_info.json is described as what it is, not as missing")
    func unusableRegistry() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try FileManager.default.removeItem(atPath: root + "/data/dataset_info.json")
        _ = try dir.mkdir("ws/data/dataset_info.json")
        let list = try await lfmAwait(["list", "--lf-dir", root], cwd: dir.path)
        #expect(list.status == 1)
        #expect(list.stderr.contains("is a directory"), "\(list.output)")
        #expect(!list.stderr.contains("does not exist"), "\(list.output)")
    }

    @Test("a symlink loop is a loop, a dangling link says where it points")
    func symlinkMessages() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/a.json", withDestinationPath: "b.json")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/b.json", withDestinationPath: "a.json")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/gone.json", withDestinationPath: "nothing.json")
        for command in ["validate", "register"] {
            let loop = try await lfmAwait([command, "a.json", "--lf-dir", root], cwd: dir.path)
            #expect(loop.status == 1)
            #expect(loop.stderr.contains("symbolic link loop") && loop.stderr.contains("a.json"), "\(command): \(loop.output)")
            let dangling = try await lfmAwait([command, "gone.json", "--lf-dir", root], cwd: dir.path)
            #expect(dangling.status == 1)
            #expect(dangling.stderr.contains("nothing.json"), "\(command): \(dangling.output)")
        }
    }

    @Test("a non-string instruction names its record; syntax errors print no empty location")
    func recordMessages() async throws {
        let dir = try TempDir()
        let numbers = try dir.write("numbers.json", #"[{"instruction": 5, "input": "", "output": "a"}]"#)
        let objects = try dir.write("objects.jsonl", #"{"instruction": {"a": 1}, "output": "a"}"# + "\n")
        for file in [numbers, objects] {
            let result = try await lfmAwait(["validate", file], cwd: dir.path)
            #expect(result.status == 1)
            #expect(result.stderr.contains("record 0 instruction") && result.stderr.contains("must be a string"), "\(result.output)")
        }
        let empty = try dir.write("empty.json", "")
        let result = try await lfmAwait(["register", empty, "--lf-dir", try smallWorkspace(dir)], cwd: dir.path)
        #expect(result.status == 1)
        #expect(!result.stderr.contains("::"), "\(result.output)")
        #expect(result.stderr.contains("empty.json"), "\(result.output)")
    }

    @Test("a registry with a UTF-8 byte order mark is reported (Python's json.load refuses it)")
    func byteOrderMark() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let text = try String(contentsOfFile: root + "/data/dataset_info.json", encoding: .utf8)
        try Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)).write(to: URL(fileURLWithPath: root + "/data/dataset_info.json"))
        let before = tree(root)
        for arguments in [["list"], ["validate", "base"], ["register", root + "/data/base.json", "--name", "again"]] {
            let result = try await lfmAwait(arguments + ["--lf-dir", root], cwd: dir.path)
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(result.stderr.contains("byte order mark"), "\(arguments): \(result.output)")
        }
        #expect(tree(root) == before)
    }

    @Test("lfm list escapes control characters and escape sequences from names and file names")
    func listEscapes() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try setRegistry(root, #"{"evil\u001b[2J\u001b[31mred": {"file_name": "x\u0007\u009b.json"}, "rtl\u202efdp": {"file_name": "base.json"}}"# + "\n")
        let result = try await lfmAwait(["list", "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.output)")
        for scalar in result.output.unicodeScalars {
            #expect(!(scalar.value < 0x20 && scalar != "\n") && !(0x7F...0x9F).contains(scalar.value) && scalar.value != 0x202E,
                    "raw U+\(String(scalar.value, radix: 16)) in: \(result.output.debugDescription)")
        }
        #expect(result.stdout.contains("evil\\u{1B}[2J"), "\(result.stdout)")
    }

    @Test("names with bidirectional overrides or zero-width characters are refused at register",
          arguments: ["abc\u{202E}txt", "a\u{200B}b", "x\u{2066}y", "z\u{FEFF}", "c\u{9B}d"])
    func invisibleNames(_ name: String) async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let source = try dir.write("in/x.json", alpacaRecord)
        let before = tree(root)
        let result = try await lfmAwait(["register", source, "--name", name, "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stderr.contains("invalid dataset name"), "\(result.output)")
        #expect(tree(root) == before)
    }

    @Test("a refused remove on a broken registry creates no lock file; a read-only registry is refused, not replaced")
    func failuresChangeNothing() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir, registry: "{\"base\": {\"file_name\": \"base.json\"},\n")
        let broken = tree(root)
        for arguments in [["remove", "base"], ["remove", "base", "--delete-file"], ["remove", "nope"]] {
            let result = try await lfmAwait(arguments + ["--lf-dir", root], cwd: dir.path)
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(tree(root) == broken, "\(arguments) changed the workspace")
        }
        try setRegistry(root, #"{"base": {"file_name": "base.json"}}"# + "\n")
        let missing = try await lfmAwait(["remove", "nope", "--lf-dir", root], cwd: dir.path)
        #expect(missing.status == 1)
        #expect(!FileManager.default.fileExists(atPath: root + "/data/.dataset_info.json.lock"))

        // Read-only: root ignores the mode bits, lfm must not.
        #expect(chmod(root + "/data/dataset_info.json", 0o444) == 0)
        let readOnly = tree(root)
        let source = try dir.write("in/y.json", alpacaRecord)
        for arguments in [["register", source], ["remove", "base"]] {
            let result = try await lfmAwait(arguments + ["--lf-dir", root], cwd: dir.path)
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(result.stderr.contains("read-only"), "\(arguments): \(result.output)")
            #expect(tree(root) == readOnly, "\(arguments) changed a read-only registry")
        }
    }
}

/// "file", "link", "dir" or "other" for what lstat sees at `path`.
func entryKind(_ path: String) -> String {
    var info = stat()
    guard lstat(path, &info) == 0 else { return "missing" }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return "file"
    case S_IFLNK: return "link"
    case S_IFDIR: return "dir"
    default: return "other"
    }
}

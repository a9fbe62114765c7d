import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8, file system and registry half: lfm never deletes or writes outside the data
/// directory, never treats the registry's own files as data, never overwrites another entry's
/// file, leaves no debris when interrupted and never blocks on a special file. Each test runs the
/// real `lfm` binary against a real file system.
@Suite("Registry safety", .enabled(if: binaryAvailable))
struct RegistrySafetyTests {
    // MARK: 1. Nothing outside the workspace

    @Test("remove --delete-file never deletes through a relative symlink, .. or an absolute path")
    func deleteStaysInside() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try dir.write("outside/keep.json", alpacaRecord)
        try dir.write("ws/outside.json", alpacaRecord)
        try dir.write("elsewhere/abs.json", alpacaRecord)
        // data/ext -> ../../outside (relative: the link the issue found).
        try FileManager.default.createSymbolicLink(atPath: root + "/data/ext", withDestinationPath: "../../outside")
        try setRegistry(root, """
        {"ext": {"file_name": "ext/keep.json"}, "up": {"file_name": "../outside.json"},
         "abs": {"file_name": "\(dir.path)/elsewhere/abs.json"}}
        """)
        for name in ["ext", "up", "abs"] {
            let result = try await lfmAwait(["remove", name, "--delete-file", "--lf-dir", root], cwd: dir.path)
            #expect(result.status == 0, "\(name): \(result.output)")
            #expect(result.stderr.contains("outside the data directory"), "\(name): \(result.output)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.path + "/outside/keep.json"), "deleted a file outside the workspace")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/ws/outside.json"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/elsewhere/abs.json"))
        #expect(try registryObject(root).isEmpty)
        // A --link entry: the link in data/ is deleted, the file it points at is kept.
        let linked = try dir.write("mine/linked.json", alpacaRecord)
        let link = try await lfmAwait(["register", linked, "--link", "--lf-dir", root], cwd: dir.path)
        #expect(link.status == 0, "\(link.output)")
        let unlinked = try await lfmAwait(["remove", "linked", "--delete-file", "--lf-dir", root], cwd: dir.path)
        #expect(unlinked.status == 0, "\(unlinked.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/data/linked.json") && entryKind(root + "/data/linked.json") == "missing")
        #expect(FileManager.default.fileExists(atPath: linked), "deleted what the link points at")
    }

    @Test("a relatively symlinked dataset_info.json is written through the link, never replaced by a file")
    func symlinkedRegistryWrittenThrough() async throws {
        let dir = try TempDir()
        try dir.write("shared/dataset_info.json", "{}\n")
        _ = try dir.mkdir("ws/data")
        let root = dir.path + "/ws"
        try FileManager.default.createSymbolicLink(atPath: root + "/data/dataset_info.json", withDestinationPath: "../../shared/dataset_info.json")
        let source = try dir.write("in/mine.json", alpacaRecord)
        let result = try await lfmAwait(["register", source, "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.output)")
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/data/dataset_info.json")
        #expect(link == "../../shared/dataset_info.json", "the link was replaced by a plain file")
        let shared = try #require(try JSONSerialization.jsonObject(with: dir.bytes("shared/dataset_info.json")) as? [String: Any])
        #expect(shared["mine"] != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/shared").filter { $0.contains(".lfm-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    // MARK: 2. The registry is never a dataset's file

    @Test("register --name dataset_info --force is refused and changes nothing")
    func registryNameRefused() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let source = try dir.write("in/x.json", alpacaRecord)
        let before = tree(root)
        for arguments in [["--name", "dataset_info", "--force"], ["--name", "dataset_info"], ["--name", "dataset_info", "--link", "--force"]] {
            let result = try await lfmAwait(["register", source, "--lf-dir", root] + arguments, cwd: dir.path)
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(result.stderr.contains("registry"), "\(result.output)")
        }
        let inPlace = try await lfmAwait(["register", root + "/data/dataset_info.json", "--lf-dir", root], cwd: dir.path)
        #expect(inPlace.status == 1, "\(inPlace.output)")
        #expect(tree(root) == before)
    }

    @Test("remove --delete-file never deletes the registry, its backup or lock (hand-written entries)")
    func registryFilesNeverDeleted() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try dir.write("ws/data/dataset_info.json.bak", "{}\n")
        try dir.write("ws/data/.dataset_info.json.lock", "")
        try FileManager.default.createSymbolicLink(atPath: root + "/data/alias.json", withDestinationPath: "dataset_info.json")
        let names = ["reg": "dataset_info.json", "bak": "dataset_info.json.bak", "lock": ".dataset_info.json.lock",
                     "dotted": "./sub/../dataset_info.json", "alias": "alias.json"]
        try setRegistry(root, "{" + names.map { "\"\($0.key)\": {\"file_name\": \"\($0.value)\"}" }.joined(separator: ", ") + "}\n")
        for name in names.keys.sorted() {
            let result = try await lfmAwait(["remove", name, "--delete-file", "--lf-dir", root], cwd: dir.path)
            #expect(result.status == 0, "\(name): \(result.output)")
            #expect(result.stderr.contains("is the registry"), "\(name): \(result.output)")
            #expect(FileManager.default.fileExists(atPath: root + "/data/dataset_info.json"), "\(name) deleted the registry")
        }
        #expect(FileManager.default.fileExists(atPath: root + "/data/.dataset_info.json.lock"))
        #expect(try registryObject(root).isEmpty)
    }

    // MARK: 3. Another entry's file

    @Test("register --force never overwrites a file another entry uses; remove --delete-file keeps a shared file")
    func sharedFiles() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let original = try dir.write("ws/data/victim.json", alpacaRecord)
        try setRegistry(root, #"{"victim": {"file_name": "victim.json"}, "other": {"file_name": "victim.json"}}"# + "\n")
        let newer = try dir.write("in/new.json", #"[{"instruction": "new", "input": "", "output": "b"}]"#)
        let before = tree(root)
        let forced = try await lfmAwait(["register", newer, "--name", "victim", "--force", "--lf-dir", root], cwd: dir.path)
        #expect(forced.status == 1, "\(forced.output)")
        #expect(forced.stderr.contains("\"other\""), "\(forced.output)")
        #expect(tree(root) == before, "a refused --force changed the workspace")

        let removed = try await lfmAwait(["remove", "other", "--delete-file", "--lf-dir", root], cwd: dir.path)
        #expect(removed.status == 0, "\(removed.output)")
        #expect(removed.stderr.contains("also the file of \"victim\""), "\(removed.output)")
        #expect(FileManager.default.fileExists(atPath: original))
        // Once nobody else uses it, it goes.
        let last = try await lfmAwait(["remove", "victim", "--delete-file", "--lf-dir", root], cwd: dir.path)
        #expect(last.status == 0, "\(last.output)")
        #expect(!FileManager.default.fileExists(atPath: original))
    }

    // MARK: 4. No debris

    @Test("Ctrl-C and SIGTERM during register leave no temporary copy and no data file",
          arguments: [(SIGINT, false), (SIGTERM, true)])
    func interruptLeavesNoDebris(_ sig: Int32, atNote: Bool) async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try dir.write("ws/data/.dataset_info.json.lock", "")
        // Many records and one invalid one: --drop-invalid writes a cleaned copy record by record,
        // long enough to be interrupted while its temporary file exists.
        let text = String(repeating: #"{"instruction": "question", "input": "", "output": "answer"}"# + "\n", count: 150_000)
            + #"{"instruction": 5, "input": "", "output": "answer"}"# + "\n"
        let source = try dir.write("in/big.jsonl", text)
        let before = tree(root)
        let binary = try #require(lfmBinary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["register", source, "--drop-invalid", "--lf-dir", root]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let exited = ExitBox()
        process.terminationHandler = { exited.set($0.terminationStatus) }
        try process.run()
        // The watcher runs on its own thread, not the test pool, so a busy machine cannot make it
        // miss the moment: right after the placement note appears, or while the copy is written.
        let watcher = DebrisTrigger(directory: root + "/data", prefix: ".big.jsonl.lfm-", note: atNote, pid: process.processIdentifier, signal: sig, exited: exited)
        watcher.start()
        while exited.value == nil { try await Task.sleep(nanoseconds: 20_000_000) }
        try #require(watcher.fired.value == 1, "the register finished before it could be interrupted")
        #expect(exited.value == 128 + sig)
        #expect(tree(root) == before, "debris: \(Set(tree(root).keys).subtracting(before.keys))")
    }

    @Test("temporary files of dead lfm processes are removed on the next write; a live writer's are kept")
    func staleTemporariesRemoved() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let dead = try await deadPID()
        let live = getpid()
        try dir.write("ws/data/.base.json.lfm-\(dead)-a1b2c3", "partial")
        try dir.write("ws/data/.dataset_info.json.lfm-\(dead)-Zx9yQ1", "{")
        try dir.write("ws/data/.base.json.lfm-\(live)-d4e5f6", "in progress")
        try dir.write("ws/data/.notes.lfm-keep", "not ours")
        let source = try dir.write("in/fresh.json", alpacaRecord)
        let result = try await lfmAwait(["register", source, "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.output)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: root + "/data"))
        #expect(!names.contains(".base.json.lfm-\(dead)-a1b2c3"))
        #expect(!names.contains(".dataset_info.json.lfm-\(dead)-Zx9yQ1"))
        #expect(names.contains(".base.json.lfm-\(live)-d4e5f6"), "a live writer's file was removed")
        #expect(names.contains(".notes.lfm-keep"))
    }

    @Test("the orphaned copy of a register killed with -9 does not block registering a changed file")
    func orphanedCopyRecovered() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let dead = try await deadPID()
        // What `kill -9` between placing data/fresh.json and writing the registry leaves.
        try dir.write("ws/data/fresh.json", alpacaRecord)
        try dir.write("ws/data/.fresh.json.lfm-pending-\(dead)", "fresh\nnew\n-\n")
        // ...and a --force replacement of base.json killed the same way: the new data is in place,
        // the previous file is kept aside, the registry still has the old entry.
        let baseEntry = #"{"file_name": "base.json"}"#  // as lfm writes it: Python's separators
        let oldBase = try dir.bytes("ws/data/base.json")
        try FileManager.default.moveItem(atPath: root + "/data/base.json", toPath: root + "/data/.base.json.lfm-pending-\(dead).previous")
        try dir.write("ws/data/base.json", #"[{"instruction": "replacement", "input": "", "output": "x"}]"#)
        try dir.write("ws/data/.base.json.lfm-pending-\(dead)", "base\nreplacing\n\(baseEntry)\n")

        let changed = try dir.write("in/fresh.json", #"[{"instruction": "changed", "input": "", "output": "b"}]"#)
        let result = try await lfmAwait(["register", changed, "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.output)")
        #expect(try dir.bytes("ws/data/fresh.json") == Data(contentsOf: URL(fileURLWithPath: changed)))
        #expect(try dir.bytes("ws/data/base.json") == oldBase, "the interrupted replacement was not undone")
        let left = try FileManager.default.contentsOfDirectory(atPath: root + "/data").filter { $0.contains(".lfm-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("kill -9 at any instant of register: the registry stays valid, the next register is never blocked, no debris stays")
    func killNineAnywhere() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let big = try dir.write("in/same.jsonl", String(repeating: #"{"instruction": "q", "input": "", "output": "a"}"# + "\n", count: 40_000))
        let changed = try dir.write("in/changed.json", #"[{"instruction": "changed", "input": "", "output": "b"}]"#)
        let binary = try #require(lfmBinary)
        for round in 0..<10 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["register", big, "--name", "same", "--lf-dir", root]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let exited = ExitBox()
            process.terminationHandler = { exited.set($0.terminationStatus) }
            try process.run()
            try await Task.sleep(nanoseconds: UInt64(round) * 150_000_000)
            kill(process.processIdentifier, SIGKILL)
            while exited.value == nil { try await Task.sleep(nanoseconds: 10_000_000) }
            let registry = try registryObject(root)  // valid JSON, old or new
            let next = try await lfmAwait(["register", changed, "--name", "same", "--lf-dir", root], cwd: dir.path)
            if registry["same"] == nil {
                #expect(next.status == 0, "round \(round): \(next.output)")
            } else {
                #expect(next.status == 1 && next.stderr.contains("already registered"), "round \(round): \(next.output)")
            }
            let removed = try await lfmAwait(["remove", "same", "--delete-file", "--lf-dir", root], cwd: dir.path)
            #expect(removed.status == 0, "round \(round): \(removed.output)")
            let left = try FileManager.default.contentsOfDirectory(atPath: root + "/data").filter { $0.contains(".lfm-") || $0.hasPrefix("same") }
            #expect(left.isEmpty, "round \(round): \(left)")
        }
    }

    @Test("register --force keeps the replaced file as .bak and leaves nothing else")
    func forceKeepsBackup() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let old = try dir.bytes("ws/data/base.json")
        let newer = try dir.write("in/base.json", #"[{"instruction": "newer", "input": "", "output": "b"}]"#)
        let result = try await lfmAwait(["register", newer, "--force", "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.output)")
        #expect(try dir.bytes("ws/data/base.json.bak") == old)
        #expect(try dir.bytes("ws/data/base.json") == Data(contentsOf: URL(fileURLWithPath: newer)))
        let left = try FileManager.default.contentsOfDirectory(atPath: root + "/data").filter { $0.contains(".lfm-") }
        #expect(left.isEmpty, "\(left)")
    }

    /// The id of a process that has exited and been reaped.
    func deadPID() async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit 0"]
        let exited = ExitBox()
        process.terminationHandler = { exited.set($0.terminationStatus) }
        try process.run()
        while exited.value == nil { try await Task.sleep(nanoseconds: 10_000_000) }
        return process.processIdentifier
    }

    // MARK: 5. Hangs

    @Test("FIFOs and devices, given as a file or named by an entry, are refused without blocking")
    func specialFilesNeverBlock() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        try makeFIFO(dir.path + "/pipe.json")
        try makeFIFO(root + "/data/pipe.jsonl")
        _ = try dir.mkdir("folder")
        try makeFIFO(dir.path + "/folder/part.json")
        try setRegistry(root, #"{"pipe": {"file_name": "pipe.jsonl"}, "dev": {"file_name": "/dev/zero"}}"# + "\n")
        for arguments in [["validate", dir.path + "/pipe.json"], ["register", dir.path + "/pipe.json"],
                          ["register", dir.path + "/folder"], ["validate", "/dev/zero"],
                          ["validate", "pipe"], ["validate", "dev"]] {
            let result = try await lfmAwait(arguments + ["--lf-dir", root], cwd: dir.path, timeout: 60)
            #expect(!result.timedOut, "\(arguments) blocked")
            #expect(result.status == 1, "\(arguments): \(result.output)")
            #expect(result.stderr.contains("FIFO") || result.stderr.contains("device"), "\(arguments): \(result.output)")
        }
        for arguments in [["list"], ["list", "--check"], ["show", "pipe"], ["show", "dev"]] {
            let result = try await lfmAwait(arguments + ["--lf-dir", root], cwd: dir.path, timeout: 60)
            #expect(!result.timedOut, "\(arguments) blocked")
            // `list --check` exits 1 when any entry has an error (here: a FIFO and a device).
            #expect(result.status == (arguments == ["list", "--check"] ? 1 : 0), "\(arguments): \(result.output)")
        }
        // A FIFO where the registry should be.
        try FileManager.default.removeItem(atPath: root + "/data/dataset_info.json")
        try makeFIFO(root + "/data/dataset_info.json")
        let list = try await lfmAwait(["list", "--lf-dir", root], cwd: dir.path, timeout: 60)
        #expect(!list.timedOut)
        #expect(list.status == 1 && list.stderr.contains("FIFO"), "\(list.output)")
    }

    @Test("validation is linear in the keys of one record (200k keys)")
    func manyKeys() async throws {
        let dir = try TempDir()
        let keys = (0..<200_000).map { "\"k\($0)\": \"v\"" }.joined(separator: ", ")
        let text = #"[{"instruction": "q", "input": "", "output": "a", "# + keys + "}]\n"
        let source = try dir.write("keys.json", text)
        // Linear: about 2 s in a debug build; quadratic took minutes.
        let result = try await lfmAwait(["validate", source], cwd: dir.path, timeout: 90)
        #expect(!result.timedOut, "validation of one record with 200k keys took over 90 s")
        #expect(result.status == 0, "\(result.output)")
    }
}

/// Sends `signal` to `pid` as soon as a file named `prefix…` (a placement note or not) appears
/// in `directory`.
final class DebrisTrigger: @unchecked Sendable {
    let directory: String, prefix: String, note: Bool, pid: Int32, sig: Int32
    let exited: ExitBox
    let fired = ExitBox()

    init(directory: String, prefix: String, note: Bool, pid: Int32, signal: Int32, exited: ExitBox) {
        self.directory = directory
        self.prefix = prefix
        self.note = note
        self.pid = pid
        self.sig = signal
        self.exited = exited
    }

    func start() {
        Thread { self.watch() }.start()
    }

    private func watch() {
        while exited.value == nil {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            if names.contains(where: { $0.hasPrefix(prefix) && $0.contains("pending") == note }) {
                kill(pid, sig)
                fired.set(1)
                return
            }
            usleep(1000)
        }
    }
}

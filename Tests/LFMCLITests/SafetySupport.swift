import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs `lfm` and awaits its exit without blocking a test thread; a run past `timeout` seconds is
/// killed (SIGKILL) and reported with `timedOut`, so a hang fails the test instead of the suite.
func lfmAwait(_ arguments: [String], cwd: String, timeout: Double = 120, environment: [String: String?] = [:]) async throws -> SafetyResult {
    let running = try RunningLFM(arguments, cwd: cwd, environment: environment)
    let (result, timedOut) = await running.wait(timeout: timeout)
    return SafetyResult(status: running.signedStatus, stdout: result.stdout, stderr: result.stderr,
                        timedOut: timedOut, scratch: running.scratch)
}

/// A finished `lfm`: `status` is negative (-signal) when a signal ended it.
struct SafetyResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
    let scratch: TempDir
    var output: String { stdout + stderr }
}

final class ExitBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: Int32?
    var value: Int32? { lock.withLock { _value } }
    func set(_ v: Int32) { lock.withLock { _value = v } }
}

/// Every entry under `root` (hidden ones included) as what `lstat` sees: a file's bytes, a
/// link's target, a folder, or the kind of a special file (never opened).
func tree(_ root: String) -> [String: String] {
    var result: [String: String] = [:]
    func walk(_ relative: String) {
        let full = relative.isEmpty ? root : root + "/" + relative
        var info = stat()
        guard lstat(full, &info) == 0 else { return }
        let key = relative.isEmpty ? "." : relative
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            result[key] = "dir \(info.st_mode & 0o7777)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []).sorted() {
                walk(relative.isEmpty ? name : relative + "/" + name)
            }
        case S_IFLNK:
            result[key] = "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")
        case S_IFREG:
            let data = FileManager.default.contents(atPath: full) ?? Data()
            result[key] = "file \(info.st_mode & 0o7777) " + data.base64EncodedString()
        default:
            result[key] = "special \(info.st_mode & S_IFMT)"
        }
    }
    walk("")
    return result
}

/// A small workspace: `ws/data/dataset_info.json` with the entry `base` (ws/data/base.json).
@discardableResult
func smallWorkspace(_ dir: TempDir, registry: String? = nil) throws -> String {
    try dir.write("ws/data/base.json", #"[{"instruction": "q", "input": "", "output": "a"}]"# + "\n")
    try dir.write("ws/data/dataset_info.json", registry ?? """
    {
      "base": {
        "file_name": "base.json"
      }
    }

    """)
    return dir.path + "/ws"
}

func setRegistry(_ root: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/data/dataset_info.json"))
}

func registryObject(_ root: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/data/dataset_info.json"))) as? [String: Any])
}

func makeFIFO(_ path: String) throws {
    try #require(mkfifo(path, 0o644) == 0, "mkfifo \(path): \(String(cString: strerror(errno)))")
}

let alpacaRecord = #"[{"instruction": "q", "input": "", "output": "a"}]"#

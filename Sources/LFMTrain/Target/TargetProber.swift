import Foundation
import LFMCore
import LFMSystem

/// Runs `ProbeScript` with the environment's own Python, once per environment and installed
/// LLaMA-Factory/torch/transformers (the cache key), and keeps the result under the user's
/// cache directory (`$XDG_CACHE_HOME/lfm/probe/` or `~/.cache/lfm/probe/`).
public struct TargetProber: Sendable {
    public var environment: [String: String]
    public var runner: any ProcessRunner
    /// Where results are kept; nil: no cache.
    public var cacheDirectory: String?
    public var timeout: Duration = .seconds(300)
    /// Called before a fresh (uncached) probe starts, with the interpreter (lfm prints a line on a terminal).
    public var onProbe: (@Sendable (String) -> Void)?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                cacheDirectory: String? = nil, runner: any ProcessRunner = FoundationProcessRunner()) {
        self.environment = environment
        self.runner = runner
        self.cacheDirectory = cacheDirectory ?? Self.defaultCacheDirectory(environment)
    }

    /// `$LFM_CACHE_DIR/probe`, else `$XDG_CACHE_HOME/lfm/probe`, else `$HOME/.cache/lfm/probe`.
    public static func defaultCacheDirectory(_ env: [String: String]) -> String? {
        if let dir = env["LFM_CACHE_DIR"], !dir.isEmpty { return dir + "/probe" }
        if let dir = env["XDG_CACHE_HOME"], !dir.isEmpty { return dir + "/lfm/probe" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.cache/lfm/probe" }
        return nil
    }

    /// The Python that runs LLaMA-Factory in `env`: `<prefix>/bin/python`, or for an env found
    /// on PATH the interpreter named on `llamafactory-cli`'s `#!` line.
    public static func python(for env: CondaEnvironment, cli: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let prefix = env.prefix {
            for name in ["python", "python3"] where ExecutableLocator.isExecutableFile(prefix + "/bin/" + name) {
                return prefix + "/bin/" + name
            }
            return nil
        }
        guard let cli, let handle = FileHandle(forReadingAtPath: cli) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 256), as: UTF8.self)
        guard head.hasPrefix("#!"), let line = head.dropFirst(2).split(separator: "\n").first else { return nil }
        var words = line.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
        // `#!/usr/bin/env python3` (or `env -S python3 -u`): the program env would run.
        if let first = words.first, first.hasSuffix("/env") {
            words = Array(words.dropFirst().drop { $0.hasPrefix("-") })
            guard let name = words.first else { return nil }
            return ExecutableLocator(environment: environment).locate(name)?.path
        }
        return words.first.flatMap { ExecutableLocator.isExecutableFile($0) ? $0 : nil }
    }

    /// What identifies an install: the python path and the names and times of the
    /// llamafactory/torch/transformers/torchaudio/torchvision `*.dist-info` folders beside it.
    static func cacheKey(python: String) -> String {
        let prefix = ((python as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        var parts = [python]
        let fm = FileManager.default
        let libs = ["lib", "lib64"].map { prefix + "/" + $0 }
        for lib in libs {
            for dir in ((try? fm.contentsOfDirectory(atPath: lib)) ?? []).sorted() where dir.hasPrefix("python") {
                let site = lib + "/" + dir + "/site-packages"
                for entry in ((try? fm.contentsOfDirectory(atPath: site)) ?? []).sorted() where entry.hasSuffix(".dist-info") {
                    let name = entry.lowercased()
                    guard ["llamafactory-", "torch-", "transformers-", "torchaudio-", "torchvision-"].contains(where: name.hasPrefix) else { continue }
                    let date = (try? fm.attributesOfItem(atPath: site + "/" + entry))?[.modificationDate] as? Date
                    parts.append("\(entry)@\(date?.timeIntervalSince1970 ?? 0)")
                }
            }
        }
        var digest = SHA256Digest()
        digest.update(Array(parts.joined(separator: "\n").utf8))
        return String(digest.finalize().prefix(24))
    }

    /// The cached result for `python`, or a fresh probe (then cached). `refresh` ignores the cache.
    public func probe(python: String, refresh: Bool = false) async throws -> (probe: TargetProbe, cached: Bool) {
        let file = cacheDirectory.map { "\($0)/\(Self.cacheKey(python: python)).json" }
        if !refresh, let file, let data = FileManager.default.contents(atPath: file),
           let cached = try? TargetProbe.decoder.decode(TargetProbe.self, from: data), cached.probeVersion == ProbeScript.version {
            return (cached, true)
        }
        onProbe?(python)
        let fresh = try await run(python: python)
        if let file, let dir = cacheDirectory, fresh.torchError == nil {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if let data = try? fresh.encoded() { try? AtomicFile.write([UInt8](data), to: file) }
        }
        return (fresh, false)
    }

    func run(python: String) async throws -> TargetProbe {
        var env = environment
        env["PYTHONUNBUFFERED"] = "1"
        env["TOKENIZERS_PARALLELISM"] = "false"
        env.removeValue(forKey: "PYTHONHOME")
        let prefix = ((python as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        env["PATH"] = prefix + "/bin" + (env["PATH"].map { ":" + $0 } ?? "")
        let spec = ProcessSpec(path: python, arguments: ["-c", ProbeScript.source], environment: env)
        let box = ProbeOutput()
        let timeout = self.timeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            box.kill()
        }
        defer { watchdog.cancel() }
        let outcome: ProcessOutcome
        do {
            outcome = try await runner.run(spec, onStart: { box.started($0) }, onLine: { box.append($0) })
        } catch {
            throw ProbeError.failed("\(python): \(error)")
        }
        let (stdout, stderr, killed) = box.result
        if killed { throw ProbeError.timedOut(Int(timeout.components.seconds)) }
        do {
            return try TargetProbe.parse(stdout: stdout)
        } catch {
            let tail = stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw ProbeError.failed("\(python) exited \(outcome.exitCode)" + (tail.isEmpty ? " without a result" : ": \(tail)"))
        }
    }
}

/// The probe's output so far, its pid, and whether the watchdog killed it.
private final class ProbeOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var stdout = ""
    private var stderr = ""
    private var pid: pid_t?
    private var killed = false

    func started(_ pid: pid_t) { lock.lock(); self.pid = pid; lock.unlock() }

    func append(_ line: OutputLine) {
        lock.lock(); defer { lock.unlock() }
        switch line.stream {
        case .stdout: stdout += line.text + "\n"
        case .stderr: stderr += line.text + "\n"
        }
    }

    func kill() {
        lock.lock(); defer { lock.unlock() }
        guard let pid else { return }
        killed = true
        Glibc.kill(-pid, SIGKILL)
    }

    var result: (stdout: String, stderr: String, killed: Bool) {
        lock.lock(); defer { lock.unlock() }
        return (stdout, stderr, killed)
    }
}

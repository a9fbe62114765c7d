#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@_exported import TestSupport
@testable import LFMSystem

@available(*, deprecated, renamed: "TempDir")
typealias Scratch = TempDir

/// Collects lines handed to `onLine` and lets a test wait for one.
final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [OutputLine] = []
    private var startedAt: ContinuousClock.Instant?

    var lines: [OutputLine] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    func texts(_ stream: OutputLine.Stream) -> [String] {
        lines.filter { $0.stream == stream }.map(\.text)
    }

    var sink: @Sendable (OutputLine) -> Void {
        { [self] line in
            lock.lock()
            if startedAt == nil { startedAt = .now }
            storage.append(line)
            lock.unlock()
        }
    }

    /// Pass as `onStart` (or call from one): `waitFor` counts its deadline from here.
    func started(_: pid_t = 0) {
        lock.lock()
        if startedAt == nil { startedAt = .now }
        lock.unlock()
    }

    /// Polls until a line satisfies `predicate`; false once `timeout` has passed since the child
    /// started (known from `started` or the first line) - a loaded machine can take long to spawn
    /// a child, which is not what a test measures. Waiting for the start itself is bounded by
    /// `startLimit`.
    func waitFor(
        timeout: Duration = .seconds(60), startLimit: Duration = .seconds(300), _ predicate: (OutputLine) -> Bool
    ) async -> Bool {
        let called = ContinuousClock.now
        while true {
            let (found, start): (Bool, ContinuousClock.Instant?) = {
                lock.lock()
                defer { lock.unlock() }
                return (storage.contains(where: predicate), startedAt)
            }()
            if found { return true }
            let now = ContinuousClock.now
            if let start, now - max(start, called) > timeout { return false }
            if start == nil, now - called > startLimit { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func waitFor(text: String, timeout: Duration = .seconds(60)) async -> Bool {
        await waitFor(timeout: timeout) { $0.text == text }
    }
}

/// The environment children get in tests: Python unbuffered, a plain PATH.
func testEnvironment() -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["PYTHONUNBUFFERED"] = "1"
    env["LC_ALL"] = "C"
    return env
}

func shell(_ script: String, _ args: [String] = []) -> ProcessSpec {
    ProcessSpec(path: "/bin/sh", arguments: ["-c", script, "sh"] + args, environment: testEnvironment())
}

/// The real interpreter behind `python3` (skipping pyenv's shell shim, which costs startup).
let python3Path: String = {
    let found = ExecutableLocator(environment: ProcessInfo.processInfo.environment)
        .locate("python3")?.path ?? "/usr/bin/python3"
    let probe = runChildSync(found, ["-c", "import sys; print(sys.executable)"])
    let real = (probe?.stdout ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    return real.isEmpty ? found : real
}()

func python(_ file: String, _ args: [String] = []) -> ProcessSpec {
    ProcessSpec(path: python3Path, arguments: [file] + args, environment: testEnvironment())
}

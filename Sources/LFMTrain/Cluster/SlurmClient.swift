import Foundation
import LFMSystem

/// What lfm needs from a batch scheduler (Slurm here; a fake in tests).
public protocol JobScheduler: Sendable {
    /// Submits a batch script; returns the job id.
    func submit(script: String, workingDirectory: String) async throws -> String
    /// The job's state now, or nil when the scheduler no longer knows the job.
    func state(ofJob id: String) async throws -> SlurmJobState?
    /// Cancels the job (`scancel`).
    func cancel(job id: String) async throws
}

/// Slurm's state for one job, from `scontrol show job -o ID`.
public struct SlurmJobState: Sendable, Equatable {
    /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, … (without `+`).
    public var state: String
    /// Why it waits or ended (`Resources`, `Priority`, `NonZeroExitCode`, `None`, …).
    public var reason: String?
    public var exitCode: String?
    public var nodes: String?
    public var restarts: Int?

    public init(state: String, reason: String? = nil, exitCode: String? = nil, nodes: String? = nil, restarts: Int? = nil) {
        self.state = state
        self.reason = reason
        self.exitCode = exitCode
        self.nodes = nodes
        self.restarts = restarts
    }

    /// Parses `scontrol show job -o` (one line of `Key=Value` pairs).
    public static func parse(scontrol line: String) -> SlurmJobState? {
        var fields: [String: String] = [:]
        for token in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            guard let eq = token.firstIndex(of: "=") else { continue }
            let key = String(token[..<eq])
            if fields[key] == nil { fields[key] = String(token[token.index(after: eq)...]) }
        }
        guard let raw = fields["JobState"], !raw.isEmpty else { return nil }
        let state = raw.split(separator: "+").first.map(String.init) ?? raw
        let reason = fields["Reason"].flatMap { $0 == "None" || $0.isEmpty ? nil : $0 }
        return SlurmJobState(state: state, reason: reason, exitCode: fields["ExitCode"],
                             nodes: fields["NodeList"].flatMap { $0 == "(null)" ? nil : $0 },
                             restarts: fields["Restarts"].flatMap { Int($0) })
    }

    /// The run status this Slurm state means.
    public var runStatus: RunRecord.Status {
        switch state {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT":
            return .pending
        case "RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING":
            return .running
        case "COMPLETED": return .finished
        case "CANCELLED", "PREEMPTED", "REVOKED": return .cancelled
        default: return .failed // FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE
        }
    }

    public var isFinal: Bool { runStatus != .pending && runStatus != .running }
}

/// The real Slurm: `sbatch --parsable`, `scontrol show job -o`, `scancel`, found on PATH.
public struct SlurmClient: JobScheduler {
    /// The environment `sbatch` and friends get, and the runner that starts them.
    public var context: ProcessContext

    public init(environment: [String: String]? = nil, runner: (any ProcessRunner)? = nil) {
        context = ProcessContext(environment: environment, runner: runner)
    }

    /// True when `sbatch` is on PATH.
    public var isAvailable: Bool { locate("sbatch") != nil }

    func locate(_ name: String) -> URL? {
        ExecutableLocator(searchPath: [context.environment["PATH"], "/usr/bin:/bin"].compactMap { $0 }.joined(separator: ":")).locate(name)
    }

    func run(_ name: String, _ arguments: [String], workingDirectory: String? = nil) async throws -> CapturedOutput {
        guard let url = locate(name) else { throw SlurmError.notInstalled(command: name) }
        let spec = ProcessSpec(executable: .path(url), arguments: arguments, environment: context.environment,
                               workingDirectory: workingDirectory.map { URL(fileURLWithPath: $0) })
        return try await context.runner.capture(spec)
    }

    public func submit(script: String, workingDirectory: String) async throws -> String {
        let out = try await run("sbatch", ["--parsable", script], workingDirectory: workingDirectory)
        guard out.status.succeeded else {
            throw SlurmError.submitFailed(status: "\(out.status)", stderr: out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // `--parsable`: "<job id>[;<cluster>]".
        let first = out.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let id = first.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !id.isEmpty, id.allSatisfy({ $0.isNumber || $0 == "_" }) else {
            throw SlurmError.badReply(command: "sbatch --parsable", output: out.stdout + out.stderr)
        }
        return id
    }

    public func state(ofJob id: String) async throws -> SlurmJobState? {
        let out = try await run("scontrol", ["show", "job", "-o", id])
        if !out.status.succeeded {
            // Slurm forgot the job (MinJobAge passed): "slurm_load_jobs error: Invalid job id specified".
            if out.stderr.contains("Invalid job id") { return nil }
            throw SlurmError.commandFailed(command: "scontrol show job \(id)", stderr: out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return SlurmJobState.parse(scontrol: out.stdout)
    }

    public func cancel(job id: String) async throws {
        let out = try await run("scancel", [id])
        guard out.status.succeeded else {
            throw SlurmError.commandFailed(command: "scancel \(id)", stderr: out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

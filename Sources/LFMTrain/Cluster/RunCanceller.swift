import Foundation
import LFMSystem

/// `lfm cancel RUN`: a Slurm run is cancelled with `scancel`; a local run (detached, or
/// attached in another terminal) has its whole process group ended (SIGTERM, then SIGKILL
/// after the grace period), torchrun workers included. The run is then recorded as cancelled.
public struct RunCanceller: Sendable {
    public enum Action: Sendable, Equatable, CustomStringConvertible {
        case scancel(jobID: String)
        case endProcessGroup(pid: Int32)
        /// Nothing to stop: the run is over (its status says how).
        case alreadyOver(RunRecord.Status)
        /// Running but without a pid to signal (still starting, or started elsewhere).
        case noProcess

        public var description: String {
            switch self {
            case .scancel(let id): return "scancel \(id)"
            case .endProcessGroup(let pid): return "kill -TERM -\(pid) (then SIGKILL after the grace period)"
            case .alreadyOver(let status): return "nothing: the run is \(status.rawValue)"
            case .noProcess: return "nothing: the run has no process id yet"
            }
        }
    }

    public var store: RunStore
    public var scheduler: any JobScheduler
    public var grace: Duration

    public init(store: RunStore, scheduler: any JobScheduler, grace: Duration = .seconds(10)) {
        self.store = store
        self.scheduler = scheduler
        self.grace = grace
    }

    /// What `cancel` would do for this run.
    public func action(for info: RunInfo) -> Action {
        guard info.status == .running || info.status == .pending else { return .alreadyOver(info.status) }
        if let job = info.record.cluster?.slurm, !job.jobID.isEmpty { return .scancel(jobID: job.jobID) }
        guard let pid = info.record.pid, pid > 1 else { return .noProcess }
        return .endProcessGroup(pid: pid)
    }

    /// Cancels the run; returns its state afterwards.
    public func cancel(_ dir: RunDirectory) async throws -> (action: Action, info: RunInfo) {
        let info = try await store.liveInfo(dir, scheduler: scheduler)
        let action = action(for: info)
        switch action {
        case .scancel(let id):
            try await scheduler.cancel(job: id)
            var record = info.record
            record.cluster?.slurm?.cancelledByUser = true
            record.notes.append("cancelled with lfm cancel (scancel \(id))")
            try dir.write(record)
            // scancel returns before slurmctld has ended the job: give it a moment.
            var latest = try await store.liveInfo(dir, scheduler: scheduler)
            let clock = ContinuousClock()
            let deadline = clock.now + grace
            while latest.record.cluster?.slurm?.state.map({ SlurmJobState(state: $0).isFinal }) != true, clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(250))
                latest = try await store.liveInfo(dir, scheduler: scheduler)
            }
            return (action, latest)
        case .endProcessGroup(let pid):
            await ProcessSystem.terminateProcessGroup(pid, grace: grace)
            // The launcher of an attached run records the end itself; let it, then say cancelled.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            var record = try dir.readRecord()
            while !record.detached, record.status == .running, clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
                record = try dir.readRecord()
            }
            if record.exitCode == nil { record.finish(exitCode: 143, interrupted: true) }
            record.status = .cancelled
            record.notes.append("cancelled with lfm cancel (SIGTERM to process group \(pid))")
            try dir.write(record)
            return (action, try store.info(dir))
        case .alreadyOver, .noProcess:
            return (action, info)
        }
    }
}

import Foundation

extension RunStore {
    /// `info(_:)` plus, for a Slurm run, what Slurm says about its job: PENDING/RUNNING with the
    /// reason, and the final state (COMPLETED/FAILED/CANCELLED/TIMEOUT…), which is saved into
    /// run.json so it is still known after Slurm forgets the job. The exit status the batch
    /// script wrote into the run dir counts when Slurm no longer knows the job.
    public func liveInfo(_ dir: RunDirectory, scheduler: any JobScheduler) async throws -> RunInfo {
        var info = try info(dir)
        guard var job = info.record.cluster?.slurm else { return info }
        var record = info.record
        let before = record
        let savedFinal = job.state.map { SlurmJobState(state: $0).isFinal } ?? false
        if !savedFinal {
            let state: SlurmJobState?
            do { state = try await scheduler.state(ofJob: job.jobID) } catch {
                // Slurm unreachable (not a login node?): what the run dir says.
                return info
            }
            if let state {
                job.state = state.state
                job.reason = state.reason ?? (state.state == "COMPLETED" ? nil : job.reason)
                if state.isFinal {
                    if record.status == .running || record.status == .pending {
                        let code = Self.readExitCode(dir) ?? Self.slurmExitCode(state.exitCode)
                        record.finish(exitCode: code ?? (state.runStatus == .finished ? 0 : 1))
                    }
                    record.status = state.runStatus
                } else {
                    info.status = state.runStatus
                }
            } else if info.status == .running {
                // Slurm forgot the job and the script wrote no exit status: it was killed
                // before it could (node failure, SIGKILL after scancel or the time limit).
                job.state = "UNKNOWN"
                job.reason = "Slurm no longer knows job \(job.jobID) and the job left no exit status"
                record.status = .killed
                if record.endTime == nil { record.endTime = RunRecord.timestamp(Date()) }
            }
        }
        // The batch script's TERM trap writes 143: Slurm stopped it (scancel, time limit).
        if record.status == .interrupted, record.exitCode == 143 || job.cancelledByUser == true {
            record.status = job.state == "TIMEOUT" ? .failed : .cancelled
        }
        if job.cancelledByUser == true, record.status != .finished, record.status != .running { record.status = .cancelled }
        record.cluster?.slurm = job
        if record != before { try? dir.write(record) }
        info.record = record
        if record.status != .running { info.status = record.status }
        return info
    }

    /// Every run, with Slurm consulted for Slurm runs that are not over yet.
    public func liveAll(scheduler: any JobScheduler) async -> [RunInfo] {
        var result: [RunInfo] = []
        for id in ids() {
            if let info = try? await liveInfo(directory(id: id), scheduler: scheduler) { result.append(info) }
        }
        return result
    }

    static func readExitCode(_ dir: RunDirectory) -> Int32? {
        guard let text = try? String(contentsOfFile: dir.exitFile, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `ExitCode=1:0` (code:signal) → 1; a signal → 128 + signal.
    static func slurmExitCode(_ text: String?) -> Int32? {
        guard let parts = text?.split(separator: ":"), parts.count == 2,
              let code = Int32(parts[0]), let signal = Int32(parts[1]) else { return nil }
        return signal != 0 ? 128 + signal : code
    }
}

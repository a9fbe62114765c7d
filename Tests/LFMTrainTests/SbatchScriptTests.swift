import Foundation
import LFMSystem
import Testing
import YAML
@testable import LFMTrain

@Suite struct SbatchScriptTests {
    static func script(_ settings: SlurmSettings = SlurmSettings(), kind: CondaEnvironment.Kind = .venv,
                       arguments: [String] = ["train", "/shared/ws/.lfm/runs/r1/train.yaml"]) -> SbatchScript {
        let env = CondaEnvironment(kind: kind, prefix: "/shared/envs/lf", name: "lf", origin: "--env")
        return SbatchScript(runID: "r1", runDirectory: RunDirectory(id: "r1", path: "/shared/ws/.lfm/runs/r1"),
                            outputDir: "/shared/ws/saves/out", settings: settings, environment: env,
                            cli: "/shared/envs/lf/bin/llamafactory-cli", arguments: arguments)
    }

    @Test func headerAsksSlurmForWhatWasGiven() {
        var s = SlurmSettings()
        s.nnodes = 2
        s.gpusPerNode = 4
        s.cpusPerTask = 16
        s.partition = "gpu"
        s.account = "proj"
        s.time = "4:00:00"
        s.extraArgs = ["--exclusive", "--constraint=a100"]
        let text = Self.script(s).text
        for line in ["#SBATCH --job-name=lfm-r1", "#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=1",
                     "#SBATCH --gpus-per-node=4", "#SBATCH --cpus-per-task=16", "#SBATCH --partition=gpu",
                     "#SBATCH --account=proj", "#SBATCH --time=4:00:00",
                     "#SBATCH --output=/shared/ws/.lfm/runs/r1/train.log", "#SBATCH --open-mode=append",
                     "#SBATCH --chdir=/shared/ws/.lfm/runs/r1", "#SBATCH --signal=B:USR1@300", "#SBATCH --requeue",
                     "#SBATCH --exclusive", "#SBATCH --constraint=a100",
                     // processes per node default to the GPUs per node; torchrun across nodes
                     "export NPROC_PER_NODE=4", "export FORCE_TORCHRUN=1", "export NNODES=\"$SLURM_NNODES\"",
                     // Slurm 22.05's srun does not inherit --cpus-per-task.
                     "srun --ntasks-per-node=1 --cpus-per-task=16 --kill-on-bad-exit=1 \\"] {
            #expect(text.contains(line + "\n"), "missing \(line)")
        }
        // Every #SBATCH line comes before the first command (sbatch stops reading them there).
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let firstCommand = lines.firstIndex { !$0.hasPrefix("#") && !$0.isEmpty }!
        #expect(!lines[firstCommand...].contains { $0.hasPrefix("#SBATCH") })
    }

    @Test func eachNodeSetsItsOwnRankAndRunsTheEnvsCLI() {
        let text = Self.script().text
        // Single quotes: $SLURM_NODEID expands on each node, not once in the batch script.
        #expect(text.contains("bash -c 'export NODE_RANK=\"$SLURM_NODEID\"; exec \"$@\"' lfm-node /shared/envs/lf/bin/llamafactory-cli \"$@\" &"))
        #expect(text.contains("srun --ntasks-per-node=1 --kill-on-bad-exit=1"))
        #expect(text.contains("export MASTER_ADDR=\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\""))
        #expect(text.contains("export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))"))
        // The same activation as a local run.
        #expect(text.contains("export VIRTUAL_ENV=/shared/envs/lf\n"))
        #expect(text.contains("export PATH=/shared/envs/lf/bin:\"$PATH\"\n"))
        #expect(text.contains("export PYTHONUNBUFFERED=1\n"))
        #expect(text.contains("unset PYTHONHOME\n"))
        // One process on one node: no torchrun needed, and NPROC_PER_NODE is never 0.
        #expect(text.contains("export NPROC_PER_NODE=1\n"))
        #expect(!text.contains("FORCE_TORCHRUN"))
        // The script records its own exit status (no sacct needed).
        #expect(text.contains("printf '%s\\n' \"$status\" >\"$run_dir/exit_code.tmp\" && mv -f \"$run_dir/exit_code.tmp\" \"$run_dir/exit_code\""))
        let conda = Self.script(kind: .conda).text
        #expect(conda.contains("export CONDA_PREFIX=/shared/envs/lf\n"))
        #expect(conda.contains("export CONDA_DEFAULT_ENV=lf\n"))
    }

    @Test func requeueResumesWithoutTheFirstAttemptsResumeKeys() {
        let text = Self.script(arguments: ["train", "/r/train.yaml", "overwrite_output_dir=true", "deepspeed=/r/ds.json"]).text
        #expect(text.contains("set -- train /r/train.yaml overwrite_output_dir=true deepspeed=/r/ds.json\n"))
        #expect(text.contains("set -- train /r/train.yaml deepspeed=/r/ds.json \"resume_from_checkpoint=$last\" overwrite_output_dir=false\n"))
        #expect(text.contains("trap on_usr1 USR1"))
        #expect(text.contains("scontrol requeue \"$SLURM_JOB_ID\""))
        var off = SlurmSettings()
        off.requeueBefore = 0
        let noRequeue = Self.script(off).text
        #expect(!noRequeue.contains("--signal"))
        #expect(!noRequeue.contains("--requeue"))
        #expect(!noRequeue.contains("trap on_usr1"))
    }

    /// The script is valid bash, and its checkpoint picker takes the newest complete checkpoint.
    @Test func scriptParsesAndPicksTheNewestCompleteCheckpoint() async throws {
        let s = try TempDir()
        let script = try s.write("job.sbatch", Self.script().text)
        let syntax = try await capture("/bin/bash", ["-n", script])
        #expect(syntax.status == 0, "\(syntax.err)")
        // Run the resume block alone against a real directory.
        for dir in ["checkpoint-5", "checkpoint-10", "checkpoint-30", "checkpoint-x"] {
            try s.write("out/\(dir)/trainer_state.json", "{}")
        }
        try FileManager.default.createDirectory(atPath: s.path("out/checkpoint-40"), withIntermediateDirectories: true) // no state: incomplete
        let text = Self.script().text
        let start = try #require(text.range(of: "set -- train"))
        let end = try #require(text.range(of: "requeueing=0"))
        let block = "output_dir=\(s.path("out"))\nSLURM_RESTART_COUNT=1\n" + text[start.lowerBound..<end.lowerBound] + "printf '%s\\n' \"$@\"\n"
        let result = try await capture("/bin/bash", ["-c", block])
        #expect(result.out.contains("resume_from_checkpoint=\(s.path("out"))/checkpoint-30\n"), "\(result.out)")
        #expect(result.out.contains("overwrite_output_dir=false"))
        // The first attempt never resumes.
        let first = try await capture("/bin/bash", ["-c", block.replacingOccurrences(of: "SLURM_RESTART_COUNT=1", with: "SLURM_RESTART_COUNT=0")])
        #expect(!first.out.contains("resume_from_checkpoint"), "\(first.out)")
    }

    @Test func siteDefaultsFromLfmYamlThenFlags() throws {
        let yaml = "partition: gpu\naccount: proj\ntime: '2:00:00'\ngpus_per_node: 8\nsbatch_args: [--exclusive]\nrequeue_before: 600\n"
        var s = SlurmSettings()
        try s.apply(config: try #require(try YAMLParser.parse(yaml).mapping), file: "lfm.yaml")
        #expect(s.partition == "gpu" && s.account == "proj" && s.time == "2:00:00" && s.gpusPerNode == 8)
        #expect(s.extraArgs == ["--exclusive"] && s.requeueBefore == 600)
        #expect(s.processesPerNode == 8)
        s.nprocPerNode = 2
        #expect(s.processesPerNode == 2)
        var bad = SlurmSettings()
        #expect(throws: SlurmError.badConfig(file: "lfm.yaml", key: "partion",
                                             message: "unknown key; the slurm: block takes \(SlurmSettings.configKeys.joined(separator: ", "))")) {
            try bad.apply(config: try YAMLParser.parse("partion: gpu\n").mapping!, file: "lfm.yaml")
        }
        #expect(throws: SlurmError.self) { try bad.apply(config: try YAMLParser.parse("gpus_per_node: many\n").mapping!, file: "lfm.yaml") }
    }

    @Test func slurmStatesFromScontrol() {
        let line = "JobId=12 JobName=lfm-r1 UserId=root(0) JobState=PENDING Reason=Resources Dependency=(null) Requeue=1 Restarts=0 ExitCode=0:0 NodeList=(null)\n"
        let pending = SlurmJobState.parse(scontrol: line)
        #expect(pending == SlurmJobState(state: "PENDING", reason: "Resources", exitCode: "0:0", nodes: nil, restarts: 0))
        #expect(pending?.runStatus == .pending)
        let done = SlurmJobState.parse(scontrol: "JobId=12 JobState=COMPLETED Reason=None ExitCode=0:0 NodeList=n[1-2]")
        #expect(done?.runStatus == .finished && done?.reason == nil && done?.nodes == "n[1-2]")
        #expect(SlurmJobState.parse(scontrol: "JobId=12 JobState=CANCELLED+ Reason=None")?.runStatus == .cancelled)
        #expect(SlurmJobState(state: "TIMEOUT").runStatus == .failed)
        #expect(SlurmJobState(state: "NODE_FAIL").runStatus == .failed)
        #expect(SlurmJobState(state: "COMPLETING").runStatus == .running)
        #expect(SlurmJobState.parse(scontrol: "nothing here") == nil)
        #expect(RunStore.slurmExitCode("1:0") == 1)
        #expect(RunStore.slurmExitCode("0:15") == 143)
    }

    @Test func preflightWarnsAboutHostLocalPathsAndSmallShm() {
        let warnings = ClusterPreflight.warnings(paths: [("model", "/tmp/models/tiny"), ("output_dir", "/shared/out"),
                                                         ("env", "relative/venv"), ("run dir", "/tmpfoo/runs")],
                                                 shmBytes: 64 << 20)
        #expect(warnings.count == 3, "\(warnings)")
        #expect(warnings[0].hasPrefix("model /tmp/models/tiny is under /tmp of this host"))
        #expect(warnings[1].hasPrefix("env relative/venv is a relative path"))
        #expect(warnings[2].hasPrefix("/dev/shm on this host has only 64 MiB"))
        #expect(ClusterPreflight.warnings(paths: [("output_dir", "/shared/out")], shmBytes: 16 << 30).isEmpty)
    }

    @Test func gpuCountNeverMakesZeroProcesses() throws {
        let s = try TempDir()
        #expect(LocalGPUs.count(environment: [:], procDirectory: s.path("none")) == 0)
        try s.write("gpus/0000:01:00.0/information", "")
        try s.write("gpus/0000:02:00.0/information", "")
        #expect(LocalGPUs.count(environment: [:], procDirectory: s.path("gpus")) == 2)
        #expect(LocalGPUs.count(environment: ["CUDA_VISIBLE_DEVICES": "0,1,2"], procDirectory: s.path("gpus")) == 3)
        #expect(LocalGPUs.count(environment: ["CUDA_VISIBLE_DEVICES": "-1"]) == 0)
        #expect(LocalGPUs.defaultProcessesPerNode(gpus: nil, environment: ["CUDA_VISIBLE_DEVICES": ""]) == 1)
        #expect(LocalGPUs.defaultProcessesPerNode(gpus: "0,1", environment: [:]) == 2)
    }
}

/// Runs a short command to completion without blocking the test's thread.
func capture(_ path: String, _ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
    let out = try await FoundationProcessRunner().capture(ProcessSpec(path: path, arguments: arguments, environment: ["PATH": "/usr/bin:/bin"]))
    return (out.status.exitCode, out.stdout, out.stderr)
}

import Foundation
import LFMCore

/// Renders `<run>/job.sbatch`: a batch script that runs `llamafactory-cli train` on every node
/// of the allocation through LLaMA-Factory's own torchrun launcher.
///
/// - `#SBATCH` lines with the output appended to the run's train.log (so `lfm logs -f` follows it);
/// - the env activated as lfm activates it locally (PATH, VIRTUAL_ENV or CONDA_PREFIX,
///   PYTHONUNBUFFERED, no PYTHONHOME) and the env's absolute llamafactory-cli;
/// - `NNODES=$SLURM_NNODES`, `NPROC_PER_NODE`, `MASTER_ADDR` = the first host of
///   `$SLURM_JOB_NODELIST`, `MASTER_PORT` derived from the job id, `FORCE_TORCHRUN=1`;
/// - `srun` one task per node, each setting `NODE_RANK=$SLURM_NODEID` on its own node;
/// - the exit status written to `<run>/exit_code` by the script itself (no sacct needed);
/// - with `requeueBefore > 0`: `--signal=B:USR1@N` and a trap that requeues the job; the
///   requeued job resumes from the newest complete checkpoint of the output dir.
public struct SbatchScript: Sendable, Equatable {
    public var runID: String
    public var runDirectory: RunDirectory
    public var outputDir: String
    public var settings: SlurmSettings
    public var environment: CondaEnvironment
    /// The absolute `llamafactory-cli`.
    public var cli: String
    /// `train <run>/train.yaml [key=value …]` as lfm would run it locally.
    public var arguments: [String]
    /// Variables lfm sets on top of the activation (e.g. from the launch plan), in order.
    public var variables: [(key: String, value: String)]
    /// DeepSpeed needs torchrun even on one process.
    public var deepspeed: Bool

    public init(runID: String, runDirectory: RunDirectory, outputDir: String, settings: SlurmSettings,
                environment: CondaEnvironment, cli: String, arguments: [String],
                variables: [(key: String, value: String)] = [], deepspeed: Bool = false) {
        self.runID = runID
        self.runDirectory = runDirectory
        self.outputDir = outputDir
        self.settings = settings
        self.environment = environment
        self.cli = cli
        self.arguments = arguments
        self.variables = variables
        self.deepspeed = deepspeed
    }

    public static func == (a: SbatchScript, b: SbatchScript) -> Bool { a.text == b.text }

    public var jobName: String { "lfm-" + runID }
    public var scriptPath: String { runDirectory.path + "/job.sbatch" }

    /// Keys lfm replaces when a requeued job resumes.
    static let resumeKeys = ["resume_from_checkpoint", "overwrite_output_dir"]

    public var text: String {
        let q = LaunchPlan.quote
        let s = settings
        var lines = ["#!/bin/bash",
                     "# Written by lfm \(LFMVersion.current) for run \(runID); lfm submitted it with `sbatch --parsable`.",
                     "#SBATCH --job-name=\(jobName)",
                     "#SBATCH --nodes=\(s.nnodes)",
                     "#SBATCH --ntasks-per-node=1"]
        if let c = s.cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(c)") }
        if let g = s.gpusPerNode { lines.append("#SBATCH --gpus-per-node=\(g)") }
        if let p = s.partition { lines.append("#SBATCH --partition=\(p)") }
        if let a = s.account { lines.append("#SBATCH --account=\(a)") }
        if let t = s.time { lines.append("#SBATCH --time=\(t)") }
        lines += ["#SBATCH --chdir=\(runDirectory.path)",
                  "#SBATCH --output=\(runDirectory.logFile)",
                  "#SBATCH --open-mode=append"]
        if s.requeueBefore > 0 {
            lines += ["#SBATCH --signal=B:USR1@\(s.requeueBefore)", "#SBATCH --requeue"]
        }
        lines += s.extraArgs.map { "#SBATCH \($0)" }
        lines += ["",
                  "set -u",
                  "run_dir=\(q(runDirectory.path))",
                  "output_dir=\(q(outputDir))",
                  "rm -f \"$run_dir/exit_code\"",
                  "echo \"lfm: job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on $SLURM_JOB_NODELIST\"",
                  "# DataLoader workers and NCCL need /dev/shm (\"bus error ... not enough shm\").",
                  "shm_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $2 }')",
                  "if [ -n \"$shm_kb\" ] && [ \"$shm_kb\" -lt 1048576 ]; then",
                  "  echo \"lfm: warning: /dev/shm on $(hostname) has only $((shm_kb / 1024)) MiB\"",
                  "fi",
                  "",
                  "# The environment, activated as lfm activates it for a local run."]
        for change in environment.activation(base: [:]) where change.key != "PATH" && change.key != "PYTHONHOME" {
            lines.append("export \(change.key)=\(q(change.value ?? ""))")
        }
        if let prefix = environment.prefix { lines.append("export PATH=\(q(prefix + "/bin")):\"$PATH\"") }
        lines.append("unset PYTHONHOME")
        for (key, value) in variables { lines.append("export \(key)=\(q(value))") }
        lines += ["",
                  "# LLaMA-Factory's torchrun launcher: one srun task per node, NPROC_PER_NODE processes each.",
                  "export NNODES=\"$SLURM_NNODES\"",
                  "export NPROC_PER_NODE=\(s.processesPerNode)",
                  "export MASTER_ADDR=\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\"",
                  "export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))"]
        if s.nnodes > 1 || s.processesPerNode > 1 || deepspeed {
            lines.append("export FORCE_TORCHRUN=1")
        }
        let fresh = arguments.map(q).joined(separator: " ")
        let kept = arguments.filter { arg in !Self.resumeKeys.contains { arg.hasPrefix($0 + "=") } }.map(q).joined(separator: " ")
        lines += ["",
                  "# A requeued job resumes from the newest complete checkpoint of the output dir.",
                  "set -- \(fresh)",
                  "if [ \"${SLURM_RESTART_COUNT:-0}\" -gt 0 ]; then",
                  "  last=\"\" last_step=-1",
                  "  for dir in \"$output_dir\"/checkpoint-*; do",
                  "    step=${dir##*-}",
                  "    case $step in ''|*[!0-9]*) continue ;; esac",
                  "    [ -f \"$dir/trainer_state.json\" ] || continue",
                  "    if [ \"$step\" -gt \"$last_step\" ]; then last=$dir last_step=$step; fi",
                  "  done",
                  "  if [ -n \"$last\" ]; then",
                  "    echo \"lfm: requeued job resumes from $last\"",
                  "    set -- \(kept) \"resume_from_checkpoint=$last\" overwrite_output_dir=false",
                  "  fi",
                  "fi",
                  ""]
        if s.requeueBefore > 0 {
            lines += ["requeueing=0",
                      "on_usr1() {",
                      "  requeueing=1",
                      "  echo \"lfm: the time limit is near: requeueing job $SLURM_JOB_ID\"",
                      "  scontrol requeue \"$SLURM_JOB_ID\"",
                      "}",
                      "trap on_usr1 USR1"]
        } else {
            lines.append("requeueing=0")
        }
        // Slurm 22.05's srun does not inherit --cpus-per-task from the batch job: pass it on.
        let cpus = s.cpusPerTask.map { " --cpus-per-task=\($0)" } ?? ""
        lines += ["on_term() {",
                  "  [ \"$requeueing\" = 1 ] && exit 0",
                  "  echo \"lfm: job $SLURM_JOB_ID was stopped by Slurm (scancel or time limit)\"",
                  "  printf '143\\n' >\"$run_dir/exit_code.tmp\" && mv -f \"$run_dir/exit_code.tmp\" \"$run_dir/exit_code\"",
                  "  exit 143",
                  "}",
                  "trap on_term TERM",
                  "",
                  "srun --ntasks-per-node=1\(cpus) --kill-on-bad-exit=1 \\",
                  "  bash -c 'export NODE_RANK=\"$SLURM_NODEID\"; exec \"$@\"' lfm-node \(q(cli)) \"$@\" &",
                  "step=$!",
                  "while :; do",
                  "  wait \"$step\"",
                  "  status=$?",
                  "  kill -0 \"$step\" 2>/dev/null || break",
                  "done",
                  "[ \"$requeueing\" = 1 ] && exit 0",
                  "printf '%s\\n' \"$status\" >\"$run_dir/exit_code.tmp\" && mv -f \"$run_dir/exit_code.tmp\" \"$run_dir/exit_code\"",
                  "echo \"lfm: job $SLURM_JOB_ID finished with exit status $status\"",
                  "exit \"$status\"",
                  ""]
        return lines.joined(separator: "\n")
    }
}

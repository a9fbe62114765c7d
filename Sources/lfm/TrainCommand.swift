import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train with LLaMA-Factory: render the config, launch llamafactory-cli train, record the run.",
        discussion: """
        lfm writes the exact config to .lfm/runs/<id>/train.yaml and runs \
        `<env>/bin/llamafactory-cli train` with that environment activated. Output streams to the \
        terminal and to .lfm/runs/<id>/train.log; progress is read from trainer_log.jsonl. \
        Ctrl-C stops the whole run (twice: SIGTERM, three times: SIGKILL).

        The environment: --env NAME|PATH, else `env:` in lfm.yaml, else the active conda env \
        (CONDA_PREFIX) or venv (VIRTUAL_ENV), else llamafactory-cli on PATH. lfm probes it once \
        (see `lfm doctor`) and picks precision, workers, logging and checkpoint intervals for that \
        machine, stating each choice; --set always wins. Every key is checked against the keys \
        the installed LLaMA-Factory accepts.

        After Ctrl-C or a failure lfm prints the command that continues the run from its newest \
        complete checkpoint: lfm train --resume RUN (add --epochs N to train a finished run further).

        Examples:
          lfm train --model llama3.2-1b --dataset support-qa
          lfm train --model ~/models/my-llama --template llama3 --dataset support-qa
          lfm train --model llama3 --dataset prefs --stage dpo --set max_steps=100 --detach
          lfm train --model llama3 --dataset support-qa --gpus 0,1 --deepspeed z2 --dry-run
          lfm train --model llama3 --dataset support-qa --nnodes 2 --master-addr 10.0.0.1 --dry-run
          lfm train --resume last
          lfm train --dataset support-qa --slurm --nnodes 2 --gpus-per-node 8 --time 12:00:00
          lfm train --dataset support-qa --k8s --image IMAGE --pvc PVC --nnodes 2 --dry-run

        Clusters (Slurm, torchrun across nodes, Kubernetes, Ray): docs/training.md#clusters.
        """)

    @Option(help: "Model: a local directory, a Hugging Face id, or a catalogue name.") var model: String?
    @Option(help: "LLaMA-Factory chat template (same one for chat/export).") var template: String?
    @Option(help: ArgumentHelp("Registered dataset names, comma-separated.", valueName: "a,b")) var dataset: String?
    @Option(help: "Stage: sft, dpo, kto, pt, rm (inferred from the datasets).") var stage: String?
    @Option(help: "lora, qlora or full.") var method: String?
    @Option(help: "Epochs (num_train_epochs).") var epochs: Double?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(name: .customLong("cutoff-len"), help: ArgumentHelp("Max tokens per example, or auto (keeps 99% whole).", valueName: "n|auto")) var cutoffLen: String?
    @Flag(name: .customLong("drop-long"), help: "Train on a registered copy without the examples longer than cutoff_len.") var dropLong = false
    @Option(name: .customLong("batch-size"), help: "per_device_train_batch_size.") var batchSize: Int?
    @Option(name: .customLong("grad-accum"), help: "gradient_accumulation_steps.") var gradAccum: Int?
    @Option(name: .customLong("max-samples"), help: "Use at most N examples per dataset.") var maxSamples: Int?
    @Option(name: .customLong("val-size"), help: "Hold out this fraction for evaluation.") var valSize: Double?
    @Option(name: .customLong("lora-rank"), help: "LoRA rank.") var loraRank: Int?
    @Option(name: .customLong("output-dir"), help: "Where LLaMA-Factory writes checkpoints and the adapter.") var outputDir: String?
    @Option(help: ArgumentHelp("Continue this run (id, prefix or `last`) in its own output dir from its newest complete checkpoint; with --epochs/--set to extend it.", valueName: "run"))
    var resume: String?
    @Flag(help: "Start over even if the output dir holds checkpoints or a finished run.") var fresh = false
    @Option(name: .customLong("set"), help: ArgumentHelp("Any LLaMA-Factory key (repeatable), applied last.", valueName: "key=value"))
    var sets: [String] = []
    @Option(help: "Start from your own YAML config instead of a template.") var config: String?
    @Option(help: "Start from this training template (see `lfm templates`) instead of the stage's own.") var baseTemplate: String?
    @Option(help: ArgumentHelp("Conda env name or prefix path, or a venv path.", valueName: "name|path")) var env: String?
    @Option(help: ArgumentHelp("GPUs to use (CUDA_VISIBLE_DEVICES).", valueName: "0,1")) var gpus: String?
    @Option(help: "Number of nodes (NNODES; torchrun).") var nnodes: Int?
    @Option(name: .customLong("node-rank"), help: "This node's rank (NODE_RANK).") var nodeRank: Int?
    @Option(name: .customLong("master-addr"), help: "Rank-0 node address (MASTER_ADDR).") var masterAddr: String?
    @Option(name: .customLong("master-port"), help: "Rank-0 port (MASTER_PORT).") var masterPort: Int?
    @Option(help: "DeepSpeed: z0, z2, z3, z2-offload, z3-offload (FORCE_TORCHRUN=1).") var deepspeed: String?
    @Option(name: .customLong("ray-workers"), help: "Train with Ray on N workers (USE_RAY=1).") var rayWorkers: Int?
    @Flag(help: "Start in the background and return; follow with lfm logs RUN -f.") var detach = false
    @Flag(name: .customLong("dry-run"), help: "Print the YAML, the command and the environment; launch nothing.") var dryRun = false

    @OptionGroup(title: "Clusters") var cluster: ClusterOptions
    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    static let deepspeedChoices = ["z0", "z2", "z3", "z2-offload", "z3-offload"]

    func validate() throws {
        if resume != nil && fresh { throw ValidationError("--resume and --fresh cannot be combined") }
        if let resume {
            let given: [(String, Bool)] = [
                ("--model", model != nil), ("--template", template != nil), ("--dataset", dataset != nil), ("--stage", stage != nil),
                ("--method", method != nil), ("--lr", lr != nil), ("--cutoff-len", cutoffLen != nil), ("--batch-size", batchSize != nil),
                ("--grad-accum", gradAccum != nil), ("--max-samples", maxSamples != nil), ("--val-size", valSize != nil),
                ("--lora-rank", loraRank != nil), ("--output-dir", outputDir != nil), ("--config", config != nil),
                ("--base-template", baseTemplate != nil), ("--deepspeed", deepspeed != nil), ("--ray-workers", rayWorkers != nil),
            ]
            if let flag = given.first(where: \.1)?.0 {
                throw ValidationError("--resume \(resume) continues the run with its own train.yaml; \(flag) cannot change it (only --epochs, --set, --env, --gpus and the launch flags combine with --resume)")
            }
        }
        if let method, TrainRequest.Method(rawValue: method) == nil {
            throw ValidationError("--method must be lora, qlora or full; got \"\(method)\"")
        }
        if let deepspeed, !Self.deepspeedChoices.contains(deepspeed) {
            throw ValidationError("--deepspeed must be one of \(Self.deepspeedChoices.joined(separator: ", ")); got \"\(deepspeed)\"")
        }
        for s in sets where !s.contains("=") || s.hasPrefix("=") {
            throw ValidationError("--set expects key=value, e.g. --set max_steps=100; got \"\(s)\"")
        }
        if let nnodes, nnodes < 1 { throw ValidationError("--nnodes must be at least 1") }
        if let nodeRank, let nnodes, nodeRank >= nnodes { throw ValidationError("--node-rank must be below --nnodes") }
        if detach && dryRun { throw ValidationError("--detach and --dry-run cannot be combined") }
        if let cutoffLen, cutoffLen != "auto", (Int(cutoffLen) ?? 0) <= 0 {
            throw ValidationError("--cutoff-len must be a positive number of tokens or auto; got \"\(cutoffLen)\"")
        }
        if resume != nil && (cluster.slurm || cluster.rendersOnly) {
            throw ValidationError("--resume continues a run here; a Slurm job resumes by itself when requeued (it starts from the newest checkpoint)")
        }
        try cluster.check(gpus: gpus, nodeRank: nodeRank, masterAddr: masterAddr, masterPort: masterPort, nnodes: nnodes,
                          detach: detach, rayWorkers: rayWorkers)
    }

    /// The request from the flags. lfm.yaml `defaults:` (model, template, stage, method,
    /// deepspeed, config, and any LLaMA-Factory key) are applied by the config builder.
    private func request() throws -> TrainRequest {
        let names = (dataset ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var r = TrainRequest(model: model ?? "", datasets: names)
        r.template = template
        r.stage = stage
        if let m = method {
            guard let parsed = TrainRequest.Method(rawValue: m) else { throw ValidationError("method must be lora, qlora or full; got \"\(m)\"") }
            r.method = parsed
        }
        r.epochs = epochs
        r.learningRate = lr
        r.cutoffLength = cutoffLen.flatMap { Int($0) }
        r.batchSize = batchSize
        r.gradientAccumulation = gradAccum
        r.maxSamples = maxSamples
        r.validationSize = valSize
        r.loraRank = loraRank
        r.outputDir = outputDir
        r.overrides = try sets.map { try TrainConfigBuilder.parseOverride($0) }
        r.configFile = config
        r.baseTemplate = baseTemplate
        r.deepspeed = deepspeed
        r.rayWorkers = rayWorkers
        r.fresh = fresh
        return r
    }

    /// Why a run with dataset errors stops (exit 1), launched or planned: the errors are printed
    /// above it.
    static func datasetRefusal(dryRun: Bool) -> CommandFailure {
        CommandFailure((dryRun ? "a real run would stop here" : "nothing was launched") + ": the datasets above have errors",
                       hint: "fix the datasets (see lfm validate NAME), or accept a deliberate drop with lfm register FILE --force --allow-unmapped FIELD")
    }

    func run() async throws {
        let workspace = try workspaceOptions.workspace()
        var session = TrainSession(workspace: workspace, signalForwarder: SignalForwarder.shared,
                                   currentDirectory: FileManager.default.currentDirectoryPath)
        session.parentWatch = ParentWatch.currentExecutable  // the run ends if lfm is killed
        if Terminal.stderrIsTTY {
            session.prober.onProbe = { python in Terminal.err("lfm ▸ looking inside \(python) (once; the result is cached)") }
        }
        // Multi-node: one job name on every node, the same master port, NPROC_PER_NODE never 0.
        let job = cluster.slurm ? nil : cluster.multiNodeJob(nnodes: nnodes, masterAddr: masterAddr, masterPort: masterPort)
        let distributed = DistributedOptions(
            gpus: gpus, nnodes: nnodes, nodeRank: nodeRank, masterAddr: masterAddr,
            masterPort: masterPort ?? (job != nil ? ClusterOptions.defaultMasterPort : nil), rayWorkers: rayWorkers,
            nprocPerNode: cluster.processesPerNode(gpus: gpus, nnodes: nnodes, masterAddr: masterAddr, deepspeed: deepspeed != nil))
        var options = TrainLaunchOptions(env: env, distributed: distributed, detach: detach, dryRun: dryRun)
        options.job = job
        var planned: TrainPlan
        var datasetCheck: TrainDatasetCheck?
        if let resume {
            let overrides = try sets.map { try TrainConfigBuilder.parseOverride($0) }
            planned = try await session.planResume(ResumeRequest(run: resume, epochs: epochs, overrides: overrides), options: options)
        } else {
            planned = try await session.plan(try request(), options: options)
            // Records, fields and tokens as LLaMA-Factory will see them, before anything starts.
            let check: TrainDatasetCheck
            do { check = try await session.checkDatasets(&planned, autoCutoff: cutoffLen == "auto", dropLong: dropLong) } catch {
                if !dryRun { planned.directory.release() }  // the reserved run directory, still empty
                throw error
            }
            for warning in check.counterWarnings { Terminal.warning(warning) }
            datasetCheck = check
        }
        // A reserved run directory that nothing was written into is given back on any stop.
        defer { if !dryRun { planned.directory.release() } }
        for warning in planned.warnings { Terminal.warning(warning) }
        // Datasets with errors: a real run stops here; a dry run prints its plan, then fails the same way.
        let datasetsRefused = datasetCheck?.preflight.hasErrors == true
        if let datasetCheck {
            if !(output.json && dryRun) {
                printDatasetCheck(datasetCheck)
            } else {
                for error in datasetCheck.preflight.errors { Terminal.error(error) }
            }
            if datasetsRefused && !dryRun { throw Self.datasetRefusal(dryRun: false) }
        }
        if let job = planned.options.job, let n = nnodes {
            let d = planned.options.distributed
            planned.launch.cluster = ClusterInfo(job: job, nodeRank: nodeRank ?? 0, nnodes: n, nprocPerNode: d.processesPerNode ?? 1,
                                              master: "\(d.masterAddr ?? "127.0.0.1"):\(d.masterPort ?? ClusterOptions.defaultMasterPort)")
            for warning in ClusterPreflight.warnings(for: planned.launch, runDir: planned.directory.path, masterAddr: masterAddr) { Terminal.warning(warning) }
        }
        // (Reached with dataset errors only in a dry run: it shows what it would do, then fails.)
        if cluster.slurm {
            try await runSlurm(planned, session: session)
            if datasetsRefused { throw Self.datasetRefusal(dryRun: true) }
            return
        }
        if cluster.rendersOnly {
            try renderForEngine(planned, session: session)
            if datasetsRefused { throw Self.datasetRefusal(dryRun: true) }
            return
        }
        let plan = planned
        if dryRun {
            if output.json {
                try Terminal.json(TrainPlanReport(plan, datasetsCheck: datasetCheck?.preflight, droppedLong: datasetCheck?.dropped))
            } else {
                TrainPrinter.dryRun(plan)
            }
            if datasetsRefused { throw Self.datasetRefusal(dryRun: true) }
            return
        }
        let outcome = try await session.run(plan, console: TerminalConsole(stdoutToStderr: output.json)) { prepared in
            for note in plan.notes { Terminal.note(note) }
            guard !plan.options.detach else { return }
            Terminal.err(Terminal.paint("lfm ▸ run \(prepared.directory.id)", .bold, stderr: true) + " (\(plan.environment.description))")
            Terminal.err("lfm ▸ log \(prepared.directory.logFile)")
        }
        if output.json { try Terminal.json(outcome.record) } else { TrainPrinter.outcome(outcome) }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

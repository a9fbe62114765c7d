import ArgumentParser
import Foundation
import LFMCore
import LFMSystem
import LFMTrain
import YAML

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train with LLaMA-Factory: render the config, launch llamafactory-cli train, record the run.",
        discussion: """
        lfm writes the exact config to .lfm/runs/<id>/train.yaml and runs \
        `<env>/bin/llamafactory-cli train` with that environment activated. Output streams to the \
        terminal and to .lfm/runs/<id>/train.log; progress is read from trainer_log.jsonl. \
        Ctrl-C stops the whole run (twice: SIGTERM, three times: SIGKILL).

        The environment: --env NAME|PATH, else `env:` in lfm.yaml, else the active conda env \
        (CONDA_PREFIX) or venv (VIRTUAL_ENV), else llamafactory-cli on PATH.

        Examples:
          lfm train --model llama3.2-1b --dataset support-qa
          lfm train --model ~/models/my-llama --template llama3 --dataset support-qa
          lfm train --dataset prefs --stage dpo --set max_steps=100 --detach
          lfm train --dataset support-qa --gpus 0,1 --deepspeed z2 --dry-run
          lfm train --dataset support-qa --nnodes 2 --master-addr 10.0.0.1 --dry-run
        """)

    @Option(help: "Model: a local directory, a Hugging Face id, or a catalogue name.") var model: String?
    @Option(help: "LLaMA-Factory chat template (same one for chat/export).") var template: String?
    @Option(help: ArgumentHelp("Registered dataset names, comma-separated.", valueName: "a,b")) var dataset: String?
    @Option(help: "Stage: sft, dpo, kto, pt, rm (inferred from the datasets).") var stage: String?
    @Option(help: "lora, qlora or full.") var method: String?
    @Option(help: "Epochs (num_train_epochs).") var epochs: Double?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(name: .customLong("cutoff-len"), help: "Max tokens per example.") var cutoffLen: Int?
    @Option(name: .customLong("batch-size"), help: "per_device_train_batch_size.") var batchSize: Int?
    @Option(name: .customLong("grad-accum"), help: "gradient_accumulation_steps.") var gradAccum: Int?
    @Option(name: .customLong("max-samples"), help: "Use at most N examples per dataset.") var maxSamples: Int?
    @Option(name: .customLong("val-size"), help: "Hold out this fraction for evaluation.") var valSize: Double?
    @Option(name: .customLong("lora-rank"), help: "LoRA rank.") var loraRank: Int?
    @Option(name: .customLong("output-dir"), help: "Where LLaMA-Factory writes checkpoints and the adapter.") var outputDir: String?
    @Flag(help: "Continue from the last checkpoint-* in the output dir.") var resume = false
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

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    static let deepspeedChoices = ["z0", "z2", "z3", "z2-offload", "z3-offload"]

    func validate() throws {
        if resume && fresh { throw ValidationError("--resume and --fresh cannot be combined") }
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
        r.cutoffLength = cutoffLen
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
        r.resume = resume
        r.fresh = fresh
        return r
    }

    func run() throws {
        let workspace: Workspace
        let rendered: RenderedConfig
        var req: TrainRequest
        let store: RunStore
        let runID: String
        do {
            workspace = try workspaceOptions.workspace()
            store = RunStore(stateDir: workspace.stateDir)
            req = try request()
            let builder = try TrainConfigBuilder.standard(workspace: workspace)
            // Render once to learn the stage (it may be inferred), then for real with the run's
            // id and directory (the default output_dir and the DeepSpeed JSON path use them).
            let first = try builder.render(req)
            runID = store.newID(stage: first.stage, model: first.mapping["model_name_or_path"]?.stringValue ?? req.model)
            req.runID = runID
            req.runDir = store.directory(id: runID).path
            rendered = try builder.render(req)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
        let base = ProcessInfo.processInfo.environment
        let resolver = EnvironmentResolver(environment: base)
        let envFlag = env
        let configured = workspace.config.env
        let environment: CondaEnvironment
        do {
            environment = try runBlocking { try await resolver.resolve(flag: envFlag, configured: configured) }
        } catch {
            throw fail(error)
        }
        var cli: String
        do {
            cli = try resolver.locateCLI(in: environment)
        } catch {
            guard dryRun else { throw fail(error) }
            Terminal.warning("\(error)")
            cli = environment.cliPath ?? "llamafactory-cli"
        }
        let distributed = DistributedOptions(gpus: gpus, nnodes: nnodes, nodeRank: nodeRank, masterAddr: masterAddr,
                                             masterPort: masterPort, deepspeed: rendered.deepspeedConfig != nil,
                                             rayWorkers: rayWorkers)
        let launch = TrainLaunch(rendered: rendered, model: rendered.mapping["model_name_or_path"]?.stringValue ?? req.model,
                                 template: rendered.mapping["template"]?.stringValue,
                                 method: req.method.rawValue, environment: environment, cli: cli,
                                 distributed: distributed, resume: resume, fresh: fresh, baseEnvironment: base)
        let launcher = TrainLauncher(store: store, signalForwarder: SignalForwarder.shared, parentWatch: ParentWatch.currentExecutable)

        if dryRun {
            try printDryRun(launch: launch, launcher: launcher, store: store, environment: environment, id: runID)
            return
        }

        SignalForwarder.shared.installSignalHandlers()
        let prepared: PreparedRun
        do { prepared = try launcher.prepare(launch, detached: detach, id: runID) } catch { throw fail(error) }
        for note in prepared.notes { Terminal.note(note) }
        let id = prepared.directory.id
        if detach {
            let record: RunRecord
            do { record = try runBlocking { try await launcher.runDetached(prepared) } } catch { throw fail(error) }
            if output.json { Terminal.out(String(decoding: try record.encoded(), as: UTF8.self)); return }
            Terminal.out("Started run \(id) in the background (pid \(record.pid.map(String.init) ?? "?"))")
            Terminal.out("  follow:  lfm logs \(id) -f")
            Terminal.out("  status:  lfm status \(id)")
            Terminal.out("  stop:    kill -TERM -\(record.pid.map(String.init) ?? "PID")")
            return
        }
        Terminal.err(Terminal.paint("lfm ▸ run \(id)", .bold, stderr: true) + " (\(environment.description))")
        Terminal.err("lfm ▸ log \(prepared.directory.logFile)")
        let console = TerminalConsole(stdoutToStderr: output.json)
        let record: RunRecord
        do { record = try runBlocking { try await launcher.runAttached(prepared, console: console) } } catch { throw fail(error) }
        let info = try? store.info(prepared.directory)
        if output.json {
            Terminal.out(String(decoding: try record.encoded(), as: UTF8.self))
        } else {
            let steps = info.map { "step \($0.progress.step)/\($0.progress.total)" } ?? ""
            let loss = info?.progress.lastLoss.map { String(format: ", last loss %.4f", $0) } ?? ""
            switch record.status {
            case .finished:
                Terminal.err(Terminal.paint("✔ ", .green, stderr: true) + "run \(id) finished (\(steps)\(loss))")
                if let adapter = info?.adapterPath { Terminal.err("  adapter: \(adapter)") }
                Terminal.err("  next:    lfm chat \(id)   lfm export \(id)   lfm plot \(id)")
            case .interrupted:
                Terminal.err("run \(id) interrupted (\(steps)); continue with: lfm train ... --resume")
            default:
                Terminal.err(Terminal.paint("✘ ", .red, stderr: true) + "run \(id) failed with exit \(record.exitCode ?? -1); see \(prepared.directory.logFile)")
            }
        }
        if let code = SignalForwarder.shared.interruptionExitCode { throw ExitCode(code) }
        if let code = record.exitCode, code != 0 { throw ExitCode(code) }
    }

    private func printDryRun(launch: TrainLaunch, launcher: TrainLauncher, store: RunStore, environment: CondaEnvironment, id: String) throws {
        var planned: (plan: LaunchPlan, notes: [String])
        do {
            planned = try launcher.plan(launch, runID: id)
        } catch let error as OutputDirError {
            Terminal.warning("a real run would stop here: \(error)")
            var fresh = launch
            fresh.fresh = true
            planned = try launcher.plan(fresh, runID: id)
            planned.notes.insert("the plan below shows --fresh", at: 0)
        } catch {
            throw fail(error)
        }
        let plan = planned.plan
        let nodes: [(rank: Int, changes: [LaunchPlan.EnvChange])] = plan.perNode.isEmpty
            ? [] : plan.perNode.enumerated().map { ($0.offset, $0.element) }
        if output.json {
            var object = JSONObject()
            object["dry_run"] = .bool(true)
            object["run_id"] = .string(id)
            object["run_dir"] = .string(store.directory(id: id).path)
            object["stage"] = .string(launch.rendered.stage)
            object["output_dir"] = .string(launch.rendered.outputDir)
            object["yaml"] = .string(launch.rendered.yaml)
            object["argv"] = .array(plan.argv.map { .string($0) })
            object["cwd"] = plan.workingDirectory.map { .string($0) } ?? .null
            object["environment"] = .object(JSONObject(plan.changes.map { JSONMember($0.key, $0.value.map { .string($0) } ?? .null) }))
            if let ds = launch.rendered.deepspeedConfig {
                object["deepspeed_config"] = .object(JSONObject(["file": .string(ds.fileName), "json": .string(ds.json)]))
            }
            if !nodes.isEmpty {
                object["nodes"] = .array(nodes.map { node in
                    .object(JSONObject([
                        "node_rank": .int(node.rank),
                        "environment": .object(JSONObject(node.changes.map { JSONMember($0.key, $0.value.map { .string($0) } ?? .null) })),
                        "command": .string(plan.shellLine(changes: node.changes)),
                    ]))
                })
            }
            object["llamafactory_installed"] = .bool(FileManager.default.isExecutableFile(atPath: plan.executable))
            object["notes"] = .array(planned.notes.map { .string($0) })
            Terminal.json(.object(object))
            return
        }
        for note in planned.notes { Terminal.note(note) }
        Terminal.out(Terminal.paint("# train.yaml (would be written to \(store.directory(id: id).configFile))", .dim))
        Terminal.out(launch.rendered.yaml.hasSuffix("\n") ? String(launch.rendered.yaml.dropLast()) : launch.rendered.yaml)
        if let ds = launch.rendered.deepspeedConfig {
            Terminal.out(Terminal.paint("# \(ds.fileName)", .dim))
            Terminal.out(ds.json)
        }
        Terminal.out(Terminal.paint("# environment: \(environment.description)", .dim))
        Terminal.out(Terminal.paint("# variables lfm sets (everything else is inherited):", .dim))
        for change in plan.changes {
            Terminal.out(change.value.map { "\(change.key)=\($0)" } ?? "unset \(change.key)")
        }
        Terminal.out(Terminal.paint("# command (cwd \(plan.workingDirectory ?? ".")):", .dim))
        Terminal.out(plan.argv.map { LaunchPlan.quote($0) }.joined(separator: " "))
        if !nodes.isEmpty {
            for node in nodes {
                Terminal.out(Terminal.paint("# node \(node.rank) of \(nodes.count): run on that node", .dim))
                Terminal.out(plan.shellLine(changes: node.changes))
            }
        }
    }
}

/// Runs async work from a synchronous command and waits for it.
final class BlockingResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
    init() {}
}

func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = BlockingResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

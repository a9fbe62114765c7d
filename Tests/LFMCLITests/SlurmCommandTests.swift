import Foundation
import Testing

/// `lfm train --slurm`, `lfm status`, `lfm cancel` against FAKE sbatch/scontrol/scancel on PATH
/// (the real Slurm runs in .ci/slurm_e2e.sh). The fakes log their arguments.
@Suite("lfm train --slurm", .enabled(if: binaryAvailable))
struct SlurmCommandTests {
    static func fakeSlurm(_ dir: TempDir, state: String = "PENDING", reason: String = "Priority") throws -> String {
        let bin = try dir.mkdir("slurm-bin")
        let scripts = [
            "sbatch": "#!/bin/sh\necho \"sbatch $*\" >>\"\(dir.path)/slurm.log\"\necho 77\n",
            "scontrol": "#!/bin/sh\necho \"scontrol $*\" >>\"\(dir.path)/slurm.log\"\nif [ -f \"\(dir.path)/cancelled\" ]; then echo 'JobId=77 JobState=CANCELLED Reason=None ExitCode=0:15'; else echo 'JobId=77 JobState=\(state) Reason=\(reason) ExitCode=0:0'; fi\n",
            "scancel": "#!/bin/sh\necho \"scancel $*\" >>\"\(dir.path)/slurm.log\"\ntouch \"\(dir.path)/cancelled\"\n",
        ]
        for (name, text) in scripts {
            try dir.write("slurm-bin/\(name)", text)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + name)
        }
        return bin
    }

    static func environment(_ bin: String) -> [String: String?] {
        var env = TrainCommandTests.bareEnvironment
        env["PATH"] = bin + ":/usr/bin:/bin"
        return env
    }

    @Test func dryRunPrintsTheScriptAndWritesNothing() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let venv = try ConcurrentTrainTests.fakeVenv(dir)
        try dir.write("ws/lfm.yaml", (try String(contentsOfFile: workspace + "/lfm.yaml", encoding: .utf8))
                      + "slurm:\n  partition: gpu\n  account: proj\n")
        let before = dir.snapshot("ws")
        let result = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace,
                              "--slurm", "--nnodes", "2", "--gpus-per-node", "4", "--time", "1:00:00",
                              "--sbatch-arg", "--exclusive", "--dry-run"],
                             cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        for line in ["#SBATCH --nodes=2", "#SBATCH --gpus-per-node=4", "#SBATCH --partition=gpu", "#SBATCH --account=proj",
                     "#SBATCH --time=1:00:00", "#SBATCH --exclusive", "export NPROC_PER_NODE=4", "\(venv)/bin/llamafactory-cli"] {
            #expect(result.stdout.contains(line), "missing \(line)")
        }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/sbatch") && !FileManager.default.isExecutableFile(atPath: "/bin/sbatch") {
            #expect(result.stderr.contains("sbatch is not on PATH"), "\(result.stderr)")
        }
        if dir.path.hasPrefix("/tmp/") {
            #expect(result.stderr.contains("is under /tmp of this host"), "\(result.stderr)")
        }
        #expect(dir.snapshot("ws") == before)
    }

    @Test func usageErrorsNameTheConflict() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        for (args, message) in [(["--partition", "gpu"], "--partition needs --slurm"),
                                (["--slurm", "--gpus", "0,1"], "--gpus cannot be combined with --slurm"),
                                (["--slurm", "--master-addr", "h"], "cannot be combined with --slurm"),
                                (["--nproc-per-node", "0"], "--nproc-per-node must be at least 1")] {
            let result = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--lf-dir", workspace, "--dry-run"] + args,
                                 cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
            #expect(result.status == 64, "\(args)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        try dir.write("ws/lfm.yaml", "slurm:\n  partion: gpu\n")
        let bad = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--lf-dir", workspace, "--slurm", "--dry-run"],
                          cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("slurm.partion: unknown key"), "\(bad.stderr)")
    }

    @Test func submitStatusAndCancel() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let venv = try ConcurrentTrainTests.fakeVenv(dir)
        let bin = try Self.fakeSlurm(dir)
        let env = Self.environment(bin)
        let submitted = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace,
                                 "--slurm", "--partition", "debug"], cwd: dir.path, environment: env)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("as job 77"), "\(submitted.stdout)")
        #expect(submitted.stdout.contains("cancel:  lfm cancel "))
        let runs = try FileManager.default.contentsOfDirectory(atPath: workspace + "/.lfm/runs")
        let run = try #require(runs.first)
        let runDir = workspace + "/.lfm/runs/" + run
        let log = try String(contentsOfFile: dir.path + "/slurm.log", encoding: .utf8)
        #expect(log.contains("sbatch --parsable \(runDir)/job.sbatch"), "\(log)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runDir + "/run.json"))) as? [String: Any])
        let slurm = try #require((record["cluster"] as? [String: Any])?["slurm"] as? [String: Any])
        #expect(slurm["job_id"] as? String == "77")
        #expect((slurm["script_sha256"] as? String)?.count == 64)

        let status = try await lfm(["status", run, "--lf-dir", workspace], cwd: dir.path, environment: env)
        #expect(status.stdout.contains("pending"), "\(status.stdout)")
        #expect(status.stdout.contains("job 77  PENDING (Priority)"), "\(status.stdout)")
        let json = try await lfm(["runs", "--json", "--lf-dir", workspace], cwd: dir.path, environment: env)
        let first = try #require((json.json as? [[String: Any]])?.first)
        #expect(first["status"] as? String == "pending")
        #expect((first["cluster"] as? [String: Any])?["slurm_reason"] as? String == "Priority")

        let dry = try await lfm(["cancel", run, "--dry-run", "--lf-dir", workspace], cwd: dir.path, environment: env)
        #expect(dry.stdout.contains("would stop run \(run): scancel 77"), "\(dry.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/cancelled"))
        let cancel = try await lfm(["cancel", run, "--lf-dir", workspace], cwd: dir.path, environment: env)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("scancel 77 → cancelled"), "\(cancel.stdout)")
        let after = try await lfm(["status", run, "--json", "--lf-dir", workspace], cwd: dir.path, environment: env)
        #expect((after.json as? [String: Any])?["status"] as? String == "cancelled")
    }

    @Test func k8sWritesTrainYamlAndTheManifestAndPrintsKubectl() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        let venv = try ConcurrentTrainTests.fakeVenv(dir)
        let missing = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--lf-dir", workspace, "--k8s", "--pvc", "ws"],
                              cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--k8s needs --image"), "\(missing.stderr)")
        let result = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace,
                              "--k8s", "--image", "img:1", "--pvc", "ws", "--nnodes", "2", "--k8s-kind", "job"],
                             cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: workspace + "/.lfm/runs").first)
        let runDir = workspace + "/.lfm/runs/" + run
        #expect(result.stdout.contains("kubectl apply -f \(runDir)/k8s.yaml"), "\(result.stdout)")
        let manifest = try String(contentsOfFile: runDir + "/k8s.yaml", encoding: .utf8)
        #expect(manifest.contains("completionMode: Indexed") && manifest.contains("\(runDir)/train.yaml"))
        #expect(FileManager.default.fileExists(atPath: runDir + "/train.yaml"))
        // lfm does not track a run it did not start.
        #expect(!FileManager.default.fileExists(atPath: runDir + "/run.json"))
        let ray = try await lfm(["train", "--model", "llama3", "--dataset", "support", "--env", venv, "--lf-dir", workspace,
                           "--ray-address", "http://head:8265", "--ray-workers", "2", "--dry-run", "--json"],
                          cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        #expect(ray.status == 0, "\(ray.stderr)")
        let json = try #require(ray.json as? [String: Any])
        #expect((json["command"] as? String)?.contains("ray job submit --address http://head:8265 --runtime-env-json") == true)
        let files = try #require(json["files"] as? [String: String])
        #expect(files.values.contains { $0.contains("ray_num_workers: 2") }, "\(files)")
    }
}

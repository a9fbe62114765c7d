// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "lfm",
    // Linux only (glibc): see README.md, "Install".
    products: [
        .executable(name: "lfm", targets: ["lfm"]),
        .library(name: "LFMCore", targets: ["LFMCore"]),
        .library(name: "LFMTools", targets: ["LFMTools"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // libyaml, found through pkg-config (apt: libyaml-dev).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The one wrapper that owns every unsafe libyaml call.
        .target(name: "YAML", dependencies: ["CYAML"]),
        // Small seams over the operating system: files, locks, processes, signals, HTTP.
        .target(name: "LFMSystem"),
        // Everything lfm knows: JSON, registry, formats, validation, workspace.
        .target(name: "LFMCore", dependencies: ["YAML", "LFMSystem", "CJSONScan"]),
        // AVX2 kernels for the JSON parser's string scan and UTF-8 check, chosen at run time (docs/performance.md).
        .target(name: "CJSONScan"),
        // `lfm train` and friends: templates, models, conda environments, runs.
        // Built-in templates (top-level templates/) are embedded at build time by the EmbedTemplates plugin.
        .target(name: "LFMTrain", dependencies: ["LFMCore", "LFMSystem", "LFMTools", "YAML"], plugins: ["EmbedTemplates"]),
        // Build-time generator and plugin that turn templates/** into a Swift source file.
        .executableTarget(name: "lfm-embed-templates", path: "Sources/lfm-embed-templates"),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["lfm-embed-templates"],
                path: "Sources/EmbedTemplatesPlugin"),
        // libcurl, loaded with dlopen on first use (not linked: start-up, docs/performance.md).
        .target(name: "CCurl"),
        // `lfm generate`'s engine: documents -> chunks -> chat API -> fine-tuning records.
        .target(
            name: "LFMGenerate",
            dependencies: ["CCurl", "LFMCore", "LFMSystem", "LFMTools", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // Dataset tools: convert, stats, split, dedupe, merge, sample (docs/datasets.md).
        .target(name: "LFMTools", dependencies: ["LFMCore", "LFMSystem"]),
        // The thin command-line front end: argument parsing and printing only.
        .executableTarget(
            name: "lfm",
            dependencies: [
                "LFMCore",
                "LFMSystem",
                "LFMTrain",
                "LFMGenerate",
                "LFMTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Throughput and memory benchmarks (docs/performance.md); not a test.
        .executableTarget(name: "lfm-bench", dependencies: ["LFMCore", "LFMSystem", "LFMTools"]),
        // Helpers shared by every test target (temporary folders, awaiting child processes, the mock
        // OpenAI server).
        .target(name: "TestSupport", dependencies: ["LFMCore", "LFMSystem"], path: "Tests/TestSupport"),
        .testTarget(name: "YAMLTests", dependencies: ["TestSupport", "YAML"]),
        .testTarget(name: "LFMSystemTests", dependencies: ["TestSupport", "LFMSystem"]),
        .testTarget(name: "LFMCoreTests", dependencies: ["TestSupport", "LFMCore"], exclude: ["Fixtures"]),
        .testTarget(name: "LFMTrainTests", dependencies: ["TestSupport", "LFMTrain", "LFMSystem"], exclude: ["Golden"]),
        .testTarget(name: "LFMCLITests", dependencies: ["TestSupport", "LFMCore"], exclude: ["Snapshots"]),
        .testTarget(
            name: "LFMGenerateTests",
            dependencies: ["TestSupport", "LFMGenerate", "LFMCore", "LFMSystem", "LFMTools", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "LFMToolsTests", dependencies: ["TestSupport", "LFMTools", "LFMCore"]),
    ]
)

// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "lfm",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lfm", targets: ["lfm"]),
        .library(name: "LFMCore", targets: ["LFMCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libyaml, found through pkg-config (apt: libyaml-dev).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // The one wrapper that owns every unsafe libyaml call.
        .target(name: "YAML", dependencies: ["CYAML"]),
        // Small seams over the operating system: files, locks, processes, signals, HTTP.
        .target(name: "LFMSystem"),
        // Everything lfm knows: JSON, registry, formats, validation, workspace.
        .target(name: "LFMCore", dependencies: ["YAML", "LFMSystem"]),
        // `lfm train` and friends: templates, models, conda environments, runs.
        // Built-in templates (top-level templates/) are embedded at build time by the EmbedTemplates plugin.
        .target(name: "LFMTrain", dependencies: ["LFMCore", "LFMSystem", "YAML"], plugins: ["EmbedTemplates"]),
        // Build-time generator and plugin that turn templates/** into a Swift source file.
        .executableTarget(name: "lfm-embed-templates", path: "Sources/lfm-embed-templates"),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["lfm-embed-templates"],
                path: "Sources/EmbedTemplatesPlugin"),
        // The thin command-line front end: argument parsing and printing only.
        .executableTarget(
            name: "lfm",
            dependencies: [
                "LFMCore",
                "LFMSystem",
                "LFMTrain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Throughput and memory benchmarks (docs/performance.md); not a test.
        .executableTarget(name: "lfm-bench", dependencies: ["LFMCore", "LFMSystem"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(name: "LFMSystemTests", dependencies: ["LFMSystem"]),
        .testTarget(name: "LFMCoreTests", dependencies: ["LFMCore"]),
        .testTarget(name: "LFMTrainTests", dependencies: ["LFMTrain"], exclude: ["Golden"]),
        .testTarget(name: "LFMCLITests", dependencies: ["LFMCore"]),
    ]
)

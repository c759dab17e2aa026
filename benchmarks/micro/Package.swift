// swift-tools-version:6.1
import PackageDescription

// Micro benchmarks for the relay's per-request hot paths (ordo-one/benchmark). A package of its own, so the
// relay's build and CI do not carry the benchmark library; `scripts/bench-micro` runs it.
let package = Package(
    name: "relay-micro-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "claude-relay-swift", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "RelayHotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Relay", package: "claude-relay-swift"),
                .product(name: "FakeUpstreams", package: "claude-relay-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Benchmarks/RelayHotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

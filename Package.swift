// swift-tools-version:6.1
import PackageDescription
#if os(Linux)
import Glibc
#endif

/// How `crs` is linked on Linux: with the toolchain's lld (the default, gold, cannot pack relocations) and, where the
/// C library can load them, packed relative relocations (DT_RELR, glibc ≥ 2.36). The binary carries ~56,000
/// relative relocations; as 24-byte RELA entries the loader reads 1.3 MB of them at every start, as RELR 15 KB.
/// Idle relay, page cache dropped: gold 41.9–42.5 MB RSS, lld alone 42.1–42.2, lld + RELR 40.9–41.2
/// (docs/performance.md, fifth run). A glibc older than 2.36 keeps the plain format: a RELR binary would refuse to
/// start there ("GLIBC_ABI_DT_RELR not found").
let crsLinkerSettings: [LinkerSetting] = {
    #if os(Linux)
    var text = [CChar](repeating: 0, count: 64)
    _ = confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count)  // "glibc 2.36"
    let version = String(cString: text).split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
    let packed = version.count >= 2 && (version[0], version[1]) >= (2, 36)
    return [.unsafeFlags(["-use-ld=lld"] + (packed ? ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : []))]
    #else
    return []
    #endif
}()

let package = Package(
    name: "claude-relay-swift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crs", targets: ["crs"]),
        .library(name: "Relay", targets: ["Relay"]),
        .library(name: "FakeUpstreams", targets: ["FakeUpstreams"]),
        .library(name: "Scenario", targets: ["Scenario"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // The cassette file format, shared by the relay (records) and the fakes (replay).
        .target(name: "Cassettes"),
        // AWS wire protocols: the event-stream framing and SigV4 (Bedrock relay and its fake).
        .target(name: "AWSProtocols", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Proxy tunnels: HTTP CONNECT and SOCKS5 handshakes, and the byte splice (the relay's SOCKS5 bridge and the
        // harness's proxy fake).
        .target(name: "Tunnels", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(
            name: "Relay",
            dependencies: [
                "CHiredis",
                "Cassettes",
                "AWSProtocols",
                "Tunnels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "FakeUpstreams",
            dependencies: [
                "Cassettes",
                "AWSProtocols",
                "Tunnels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Scenario",
            dependencies: [
                "Cassettes",
                "Relay",
                "FakeUpstreams",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "crs",
            dependencies: [
                "Cassettes",
                "Relay",
                "FakeUpstreams",
                "Scenario",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            linkerSettings: crsLinkerSettings
        ),
        // Fuzz targets for the parsers (scripts/fuzz runs them under libFuzzer; the suite replays fixtures/fuzz/).
        .target(
            name: "FuzzTargets",
            dependencies: [
                "Relay",
                "AWSProtocols",
                "Scenario",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "crs-fuzz", dependencies: ["FuzzTargets", "CFuzzerDriver"]),
        .testTarget(
            name: "RelayTests",
            dependencies: [
                "FuzzTargets",
                "Cassettes",
                "AWSProtocols",
                "Relay",
                "Scenario",
                "FakeUpstreams",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .testTarget(
            name: "ScenarioTests",
            dependencies: ["Scenario"]
        ),
    ]
)

// swift-tools-version:6.2
// The module layout is described in docs/architecture.md. The `// Layer N`
// comments below declare the layers: a target depends only on targets of lower
// layers, which scripts/check-repo.py (run by `make test`) enforces.
import PackageDescription

let package = Package(
    name: "hookreel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hookreel", targets: ["hookreel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Layer 0
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .target(name: "EventModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The strict HTTP/1.1 wire layer of the recorder, the sink and replay's client: no dependencies.
        .target(name: "HTTPWire"),
        // Primitives: what several layers share and is not about events (seeded random
        // numbers, distributions, arrival curves, durations as people write them, hex text).
        .target(name: "Primitives"),

        // Layer 1
        .target(name: "SegmentStore", dependencies: ["CZstd", "EventModel"]),
        .target(name: "Delivery", dependencies: [
            "EventModel", "HTTPWire",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "Reporting", dependencies: [
            "EventModel", "Primitives",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // The Webhooks API's wire types, shared by the emulator and the client.
        .target(name: "OrchestratorAPI", dependencies: ["EventModel"]),

        // Layer 2
        // The recorder and the sink serve HTTP on raw NIO channels over HTTPWire
        // rather than Hummingbird or NIOHTTP1: measured on this machine, Hummingbird
        // answering 202 reached 0.34x of nginx's requests/s, a bare NIOHTTP1 server
        // 0.63x-0.90x, raw channels 0.95x-1.5x (docs/benchmarks.md).
        .target(name: "Receiver", dependencies: [
            "EventModel", "Primitives", "SegmentStore", "Delivery", "HTTPWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "Synthesis", dependencies: [
            "EventModel", "Primitives", "SegmentStore", "Reporting",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "OrchestratorEmulator", dependencies: [
            "EventModel", "Primitives", "Delivery", "OrchestratorAPI",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `hookreel webhooks`: calls a tenant's Webhooks API (or the emulator's).
        .target(name: "WebhooksClient", dependencies: [
            "OrchestratorAPI", "Delivery",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "Replay", dependencies: [
            "EventModel", "HTTPWire", "Primitives", "SegmentStore", "Delivery", "Reporting",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // Layer 3
        .executableTarget(name: "hookreel", dependencies: [
            "EventModel", "Primitives", "SegmentStore", "Receiver", "Replay", "Reporting", "Synthesis", "OrchestratorEmulator",
            "OrchestratorAPI", "WebhooksClient", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Benchmarks (release builds; not part of the product)
        .executableTarget(name: "delivery-bench", dependencies: [
            "Delivery",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Benchmarks/DeliveryBench"),
        .executableTarget(name: "server-floor", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Benchmarks/ServerFloor"),

        // Tests
        .target(name: "TestSupport", dependencies: ["EventModel", "Primitives"], path: "Tests/TestSupport"),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives"]),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel", "Primitives", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SegmentStoreTests", dependencies: ["SegmentStore", "EventModel", "TestSupport", "CZstd"]),
        .testTarget(name: "ReceiverTests", dependencies: [
            "Receiver", "EventModel", "Primitives", "SegmentStore", "HTTPWire", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HTTPWireTests", dependencies: [
            "HTTPWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "EventModel", "Primitives", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ReplayTests", dependencies: [
            "Replay", "Reporting", "Delivery", "EventModel", "HTTPWire", "Primitives", "SegmentStore", "TestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "SynthesisTests", dependencies: ["Synthesis", "EventModel", "Primitives", "Reporting", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "OrchestratorEmulatorTests", dependencies: [
            "OrchestratorEmulator", "OrchestratorAPI", "EventModel", "Delivery", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "WebhooksClientTests", dependencies: [
            "WebhooksClient", "OrchestratorAPI", "OrchestratorEmulator", "Delivery", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HookreelTests", dependencies: [
            "EventModel", "Primitives", "Receiver", "Replay", "SegmentStore", "TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

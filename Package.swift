// swift-tools-version:6.2
// The module layout follows ../shared/docs/architecture.md: imports point down only,
// and each third-party package has one owning module.
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
    ],
    targets: [
        // Layer 0
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "EventModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Layer 1
        .target(name: "SegmentStore", dependencies: ["CZstd", "EventModel"]),

        // Layer 3
        .executableTarget(name: "hookreel", dependencies: [
            "EventModel", "SegmentStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Tests
        .target(name: "TestSupport", dependencies: ["EventModel"], path: "Tests/TestSupport"),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SegmentStoreTests", dependencies: ["SegmentStore", "EventModel", "TestSupport", "CZstd"]),
        .testTarget(name: "HookreelTests", dependencies: ["EventModel", "SegmentStore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

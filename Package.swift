// swift-tools-version: 6.1
import PackageDescription

// One settings array for every target, so the whole package is held to the same rules.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "AccountabilityLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ledgerctl", targets: ["ledgerctl"]),
        .executable(name: "ledger-bench", targets: ["ledger-bench"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // swift-configuration support is not needed: the server is configured by ledgerctl's flags.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "Ledger",
            dependencies: [
                "LedgerMigrations",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The SQL lives in Migrations/ (one folder per database) and is compiled into the
        // binary, so an installed ledgerctl needs no files beside it.
        .target(
            name: "LedgerMigrations",
            path: "Migrations",
            sources: ["LedgerMigrations.swift"],
            resources: [.embedInCode("sqlite"), .embedInCode("postgres")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Reports",
            dependencies: ["Ledger"],
            swiftSettings: swiftSettings
        ),
        // The public status feed and the team's write API: thin over Ledger and Reports.
        .target(
            name: "LedgerServer",
            dependencies: [
                "Ledger",
                "Reports",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ledgerctl",
            dependencies: [
                "Ledger",
                "Reports",
                "LedgerServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark (scripts/bench): the ledger against raw SQLite, raw PostgreSQL,
        // sha256sum and nginx.
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "Ledger",
                "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What both test targets need to reach the test PostgreSQL server.
        .target(
            name: "LedgerTestSupport",
            dependencies: [
                "Ledger",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/LedgerTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerTests",
            dependencies: [
                "Ledger", "Reports", "LedgerMigrations", "LedgerTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "Ledger", "Reports", "LedgerServer", "LedgerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            // A feed checker and the JSON Feed schema, run by the tests with python3.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ledgerctlTests",
            dependencies: [
                "Ledger", "Reports", "LedgerTestSupport", .target(name: "ledgerctl"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

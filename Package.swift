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
        .library(name: "Transparency", targets: ["Transparency"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "LedgerTeam", targets: ["LedgerTeam"]),
        .library(name: "LedgerStores", targets: ["LedgerStores"]),
        .library(name: "RemoteVerifier", targets: ["RemoteVerifier"]),
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
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Webhook deliveries and `verify --remote`: redirects as configured, a deadline for
        // the whole request, the answer streamed and capped (FoundationNetworking has only an
        // idle timeout and whole bodies).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The workspace's file uploads (multipart/form-data).
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // Only its bcrypt (a C implementation) for the workspace's passwords.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // Transparency-log standards, knowing nothing of the ledger: RFC 6962 Merkle trees
        // and proofs, C2SP signed notes, checkpoints, tiles and tlog-proof receipts.
        .target(
            name: "Transparency",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The pure core: entries, canonical encoding, hashing, validation, the projection,
        // the chain's store protocols. Nothing here touches a database, a socket or a logger.
        .target(
            name: "Ledger",
            dependencies: [
                "Transparency",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the team keeps beside the chain, and the protocols of the stores that keep it:
        // people and sessions, API tokens, the outbox (mail, webhooks). Pure, like the core.
        .target(
            name: "LedgerTeam",
            dependencies: [
                "Ledger",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // What every store shares that is not SQL dialect: migration plans, column lists, the
        // team's updates.
        .target(
            name: "LedgerStorage",
            dependencies: ["Ledger", "LedgerTeam", "LedgerMigrations"],
            swiftSettings: swiftSettings
        ),
        // The embedded default: one SQLite file (GRDB over the system's libsqlite3).
        .target(
            name: "LedgerSQLite",
            dependencies: [
                "Ledger", "LedgerTeam", "LedgerStorage", "LedgerMigrations",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The team deployment: PostgreSQL through postgres-nio.
        .target(
            name: "LedgerPostgres",
            dependencies: [
                "Ledger", "LedgerTeam", "LedgerStorage", "LedgerMigrations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Opens a ledger from what a user typed: a file path, sqlite:PATH or postgres://….
        .target(
            name: "LedgerStores",
            dependencies: [
                "Ledger", "LedgerTeam", "LedgerSQLite", "LedgerPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Generated ledgers of any size, for the benchmark and the tests; not shipped in the core.
        .target(
            name: "LedgerSynthetic",
            dependencies: ["Ledger"],
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
        // Reports and pages, pure like the core: HTML through swift-mustache templates
        // compiled into the binary, Markdown, text, JSON, feeds.
        .target(
            name: "Reports",
            dependencies: [
                "Ledger",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings
        ),
        // Spreadsheets (CSV) of actors, demands and commitments: reading one into the entries
        // that make the ledger say what it says, and writing the current state as one. Pure.
        .target(
            name: "Sheets",
            dependencies: ["Ledger"],
            swiftSettings: swiftSettings
        ),
        // The team workspace's pages and forms, pure like Reports: what needs attention, lists,
        // entry forms built from the payloads' field declarations, review pages; en and es.
        .target(
            name: "Workspace",
            dependencies: [
                "Ledger",
                "LedgerTeam",
                "Reports",
                "Sheets",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings
        ),
        // The public status feed, the team's write API and the workspace: thin over Ledger,
        // Reports and Workspace.
        .target(
            name: "LedgerServer",
            dependencies: [
                "Ledger",
                "LedgerTeam",
                "Transparency",
                "Reports",
                "Sheets",
                "Workspace",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The outside check of a served log (`verify --remote`): tiles, entries and checkpoints
        // fetched and checked against the verifier key alone. A library, for witnesses too.
        .target(
            name: "RemoteVerifier",
            dependencies: [
                "Ledger",
                "Transparency",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ledgerctl",
            dependencies: [
                "Ledger",
                "LedgerTeam",
                "Transparency",
                "Reports",
                "Sheets",
                "LedgerServer",
                "LedgerStores",
                "RemoteVerifier",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The benchmark (scripts/bench): the ledger against raw SQLite, raw PostgreSQL,
        // sha256sum and nginx.
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "Ledger",
                "Transparency",
                "Reports",
                "LedgerStores",
                "LedgerSQLite",
                "LedgerPostgres",
                "LedgerSynthetic",
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
                "LedgerTeam",
                "Transparency",
                "LedgerStores",
                "LedgerSQLite",
                "LedgerPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/LedgerTestSupport",
            swiftSettings: swiftSettings
        ),
        // The transparency-log standards against their published vectors and examples.
        .testTarget(
            name: "TransparencyTests",
            dependencies: ["Transparency"],
            // RFC 6962 proof vectors (transparency-dev/merkle, Apache 2.0, LICENSE beside them).
            exclude: ["merkle-testdata"],
            swiftSettings: swiftSettings
        ),
        // The core alone: hashes, validation, the projection, payloads. No database.
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "LedgerSynthetic", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        // The stores: the conformance suite on both, and what only one of them can show.
        .testTarget(
            name: "LedgerStoresTests",
            dependencies: [
                "Ledger", "LedgerTeam", "Transparency", "LedgerMigrations", "LedgerTestSupport",
                "LedgerStorage", "LedgerSQLite", "LedgerPostgres", "LedgerStores", "LedgerSynthetic",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Ledger", "Transparency", "Reports", "LedgerStores", "LedgerTestSupport", "LedgerSynthetic"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "Ledger", "LedgerTeam", "Transparency", "Reports", "Workspace", "LedgerServer", "LedgerTestSupport", "LedgerStores", "RemoteVerifier",
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
                "Ledger", "LedgerTeam", "Transparency", "Reports", "Sheets", "LedgerTestSupport", "LedgerStores", "LedgerSynthetic", .target(name: "ledgerctl"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // Go's sumdb checker, run by the tests with `go run`.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.2
import PackageDescription

// The project's own targets build without a warning: one once meant a `catch` that never ran.
// Imports are internal unless marked, and a member is visible only where its module is imported:
// together they make the layers a compile-time property (see docs/architecture.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

// Linux only: the code uses glibc directly (sockets, rlimits) and links the system's libpq and
// libcrypto, so no Apple platform is listed.
let package = Package(
    name: "smshub",
    products: [
        .executable(name: "smshub", targets: ["smshub"]),
        .executable(name: "smshub-sim", targets: ["smshub-sim"]),
        // For the fuzzing package in fuzz/, which builds only the pure code.
        .library(name: "SmsHubDomain", targets: ["SmsHubDomain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        // FilePath, which swift-configuration's file providers take.
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // System libraries: each is imported by exactly one wrapper module.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Cryptography",
            dependencies: ["CLibCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmsHubDomain",
            dependencies: ["Cryptography"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmsHubRepository",
            dependencies: [
                "Cryptography",
                "Postgres",
                "SmsHubDomain",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.process("Migrations")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmsHubApp",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                "SmsHubDomain",
                "SmsHubRepository",
                "Cryptography",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smshub",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "SmsHubApp",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SmsHubSimulator",
            dependencies: [
                "SmsHubDomain",
                "Cryptography",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smshub-sim",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "SmsHubSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CryptographyTests",
            dependencies: ["Cryptography"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmsHubDomainTests",
            dependencies: ["SmsHubDomain", "Cryptography"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmsHubRepositoryTests",
            dependencies: ["SmsHubRepository", "SmsHubDomain", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SmsHubAppTests",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "SmsHubApp",
                "SmsHubDomain",
                "SmsHubRepository",
                "SmsHubSimulator",
                "Cryptography",
                "Postgres",
                "TestSupport",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Postgres", "SmsHubRepository"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version:6.1
// Coverage-guided fuzzing of the hub's pure input code (SmsHubDomain) with libFuzzer. A package of
// its own so the sanitizer build compiles only that code, not the server: `make fuzz` (see docs/api.md).
import PackageDescription

let targets = [
    "FuzzJSON", "FuzzForm", "FuzzEngageLab", "FuzzSubmail", "FuzzHuawei", "FuzzGateway", "FuzzCursor", "FuzzPhone", "FuzzTimes", "FuzzEgress",
    "FuzzWebhooks", "FuzzDNS", "FuzzSendAnswers",
]

let package = Package(
    name: "smshub-fuzz",
    dependencies: [.package(name: "smshub", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "SmsHubDomain", package: "smshub")])
    ]
        + targets.map { name in
            .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "SmsHubDomain", package: "smshub")])
        }
)

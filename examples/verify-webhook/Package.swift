// swift-tools-version: 6.0
// Checks an smshub webhook delivery as a receiver written in Swift would (docs/webhooks.md).
import PackageDescription

let package = Package(
    name: "verify-webhook",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3")],
    targets: [
        .executableTarget(name: "verify-webhook", dependencies: [.product(name: "Crypto", package: "swift-crypto")])
    ]
)

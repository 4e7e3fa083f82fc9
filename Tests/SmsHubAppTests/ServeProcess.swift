import AsyncHTTPClient
import Cryptography
import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

/// `smshub serve` as a child process, its standard error in a file.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let logURL: URL

    /// `openFiles`: the soft and hard open-file limit the service runs under (`ulimit -n`).
    init(environment: [String: String], openFiles: Int? = nil) throws {
        let binary = try Self.binary()
        self.logURL = FileManager.default.temporaryDirectory.appendingPathComponent("smshub-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: self.logURL.path, contents: nil)
        if let openFiles {
            // exec keeps the shell's pid, so the signals of `stop` reach the service.
            self.process.executableURL = URL(fileURLWithPath: "/bin/sh")
            self.process.arguments = ["-c", "ulimit -n \(openFiles) && exec \"$0\" serve", binary.path]
        } else {
            self.process.executableURL = binary
            self.process.arguments = ["serve"]
        }
        self.process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { a, _ in a }
        let handle = try FileHandle(forWritingTo: self.logURL)
        self.process.standardError = handle
        self.process.standardOutput = handle
        try self.process.run()
    }

    /// The built `smshub` beside this test binary (`swift build --build-tests` builds both).
    static func binary() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("smshub")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/smshub")
        guard FileManager.default.isExecutableFile(atPath: fallback.path) else { throw MissingBinary() }
        return fallback
    }

    struct MissingBinary: Error {}
    struct NotListening: Error { var log: String }

    func log() throws -> String {
        String(decoding: try Data(contentsOf: self.logURL), as: UTF8.self)
    }

    /// The port from the "smshub listening" line.
    func waitForPort() async throws -> Int {
        var port: Int?
        let started = try await eventually(within: TestTimeouts.start) {
            let text = try self.log()
            if let line = text.split(separator: "\n").first(where: { $0.contains("smshub listening") }) {
                port = line.split(separator: ":").last.flatMap { Int($0.prefix(while: \.isNumber)) }
            }
            guard port != nil || self.process.isRunning else { throw NotListening(log: text) }
            return port != nil
        }
        guard started, let port else { throw NotListening(log: try self.log()) }
        return port
    }

    /// SIGTERM, then SIGKILL after 10 s; never waits unbounded (Foundation's wait was seen to hang on
    /// an unreaped child when called from a concurrency thread, see ScratchCluster.run).
    func stop() {
        guard self.process.isRunning else { return }
        kill(self.process.processIdentifier, SIGTERM)
        for _ in 0..<100 where self.process.isRunning { usleep(100_000) }
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(at: self.logURL)
    }
}

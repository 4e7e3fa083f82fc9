import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL cluster of its own, for the few tests that stop or restart the server: they must not
/// disturb the shared server every other test runs against.
package final class ScratchCluster: @unchecked Sendable {
    package let port: Int
    let dataDirectory: URL
    let binDirectory: String

    package var superuserURL: String { "postgresql://postgres@127.0.0.1:\(self.port)/postgres" }

    package static func start() throws -> ScratchCluster {
        guard let bin = ProcessInfo.processInfo.environment["SMSHUB_TEST_PG_BIN"], !bin.isEmpty else {
            throw MissingTestEnvironment(variable: "SMSHUB_TEST_PG_BIN")
        }
        let directory = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("smshub-scratch-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if getuid() == 0 { try run("/bin/chown", ["postgres", directory.path]) }
            let initializer = ScratchCluster(port: 0, dataDirectory: directory, binDirectory: bin)
            try initializer.asServerUser("\(bin)/initdb", ["-D", directory.path, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            return try Self.startOnFreePort(directory: directory, bin: bin)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// A hot standby of this cluster, streaming from it (`pg_basebackup -R`), on a port of its own.
    package func startStandby() throws -> ScratchCluster {
        // pg_basebackup makes the directory itself, with the permissions the server insists on.
        let directory = URL(fileURLWithPath: "/var/tmp").appendingPathComponent("smshub-standby-\(UUID().uuidString.prefix(8))")
        do {
            try self.asServerUser(
                "\(self.binDirectory)/pg_basebackup",
                ["-D", directory.path, "-R", "-X", "stream", "-c", "fast", "--no-sync", "-h", "127.0.0.1", "-p", "\(self.port)", "-U", "postgres"]
            )
            return try Self.startOnFreePort(directory: directory, bin: self.binDirectory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Starts the cluster in `directory`. A port free now may be taken before the server binds it: tries a few.
    static func startOnFreePort(directory: URL, bin: String) throws -> ScratchCluster {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let cluster = ScratchCluster(port: try Self.freePort(), dataDirectory: directory, binDirectory: bin)
            do {
                try cluster.startServer()
                return cluster
            } catch {
                lastError = error
            }
        }
        throw lastError ?? CommandFailed(command: "pg_ctl start", status: 1, output: "no free port")
    }

    /// A loopback port that nothing listens on, below Linux's range for outgoing connections
    /// (32768–60999), where a client's ephemeral port could take it between the check and the bind.
    /// For servers that cannot bind port 0 and report theirs (PostgreSQL; a service restarted on the
    /// port its callback URLs name): their start is retried on another port if this one was taken.
    package static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000...32_000)
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { continue }
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { return port }
        }
        throw CommandFailed(command: "bind", status: 1, output: "no free loopback port in 20000-32000 after 100 tries")
    }

    init(port: Int, dataDirectory: URL, binDirectory: String) {
        self.port = port
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
    }

    func startServer() throws {
        try self.asServerUser(
            "\(self.binDirectory)/pg_ctl",
            [
                "-D", self.dataDirectory.path, "-w", "-t", "30", "-l", self.dataDirectory.appendingPathComponent("log").path,
                "-o", "-p \(self.port) -k '' -c listen_addresses=127.0.0.1 -c fsync=off", "start",
            ]
        )
    }

    package func restart() throws {
        try self.asServerUser("\(self.binDirectory)/pg_ctl", ["-D", self.dataDirectory.path, "-w", "-m", "fast", "stop"])
        try self.startServer()
    }

    /// Stops the server but keeps its data, for `startAgain`.
    package func stopServerOnly() {
        try? self.asServerUser("\(self.binDirectory)/pg_ctl", ["-D", self.dataDirectory.path, "-w", "-m", "fast", "stop"])
    }

    package func startAgain() throws {
        try self.startServer()
    }

    /// Stops (`SIGSTOP`) or resumes (`SIGCONT`) the server and every backend: a database that is
    /// there, holding its connections open, and answers nothing, as a frozen host or VM would.
    package func signalAll(_ signal: Int32) throws {
        let pidFile = self.dataDirectory.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let first = text.split(separator: "\n").first,
            let postmaster = Int32(first)
        else { throw CommandFailed(command: "read \(pidFile.path)", status: 1, output: "no postmaster.pid") }
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // "pid (comm) state ppid …": the parent is the second field after the command's closing parenthesis.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        for pid in pids { kill(pid, signal) }
    }

    package func stop() {
        try? self.asServerUser("\(self.binDirectory)/pg_ctl", ["-D", self.dataDirectory.path, "-w", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: self.dataDirectory)
    }

    private func asServerUser(_ executable: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try Self.run(executable, arguments)
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(self.command) exited \(self.status): \(self.output)" }
    }

    /// Runs a command to completion with posix_spawn and waitpid. Foundation's `Process` was seen to
    /// leave its child unreaped (and the test hung) when waited on from a concurrency thread.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let outputPath = "/var/tmp/smshub-cmd-\(UUID().uuidString)"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CommandFailed(command: executable, status: spawned, output: "posix_spawn failed")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard code == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw CommandFailed(command: ([executable] + arguments).joined(separator: " "), status: code, output: text)
        }
    }
}

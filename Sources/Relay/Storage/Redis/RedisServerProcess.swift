import Foundation
import NIOCore
import NIOPosix

/// A `redis-server` child process: an ephemeral one for tests and scenarios (free loopback port, temp dir,
/// no persistence, removed on stop) or the relay's embedded one (fixed directory, AOF on, unix socket).
///
/// The server runs under a small `sh` guard that holds our pipe open: if this process dies without calling
/// `stop()` (crash, SIGKILL, a test runner killed), the pipe closes and the guard takes the server down, so no
/// stray `redis-server` outlives its owner.
public final class RedisServerProcess: @unchecked Sendable {
    public struct Options: Sendable {
        public var directory: String?
        public var port: Int?
        public var unixSocket: String?
        public var appendOnly = false
        public var keepDirectory = false
        public var executable = "redis-server"
        public var extraArguments: [String] = []

        public init() {}

        /// A throwaway server: temp dir, free port, no persistence.
        public static var ephemeral: Options { Options() }

        /// The relay's embedded store under `directory` with AOF, reachable over a unix socket only.
        public static func embedded(directory: String) -> Options {
            var options = Options()
            options.directory = directory
            options.unixSocket = directory + "/redis.sock"
            options.appendOnly = true
            options.keepDirectory = true
            return options
        }
    }

    public let options: Options
    public let directory: String
    public let port: Int?
    private let lock = NSLock()
    private var process: ChildProcess?
    /// Our end of the guard's pipe (a raw descriptor we own and close exactly once).
    private var guardWriteFD: Int32 = -1
    /// The pid of the redis-server this object started, read once it answered (the pid file may later name
    /// another instance's server; that one is never ours to kill).
    private var launchedRedisPID: Int32?

    public var url: String {
        if let port { return "redis://127.0.0.1:\(port)" }
        return "unix://\(options.unixSocket!)"
    }

    public var pid: Int32? { lock.withLock { process?.pid } }

    private init(options: Options, directory: String, port: Int?) {
        self.options = options
        self.directory = directory
        self.port = port
    }

    public static func start(_ options: Options = .ephemeral) async throws -> RedisServerProcess {
        let directory = try options.directory ?? makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port: Int? = options.unixSocket == nil ? (options.port ?? FreePort.find()) : options.port
        let server = RedisServerProcess(options: options, directory: directory, port: port)
        do {
            try await server.launch()
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Runs `body` with a fresh ephemeral server and always stops it, also when `body` throws.
    public static func withEphemeral<T>(_ body: (RedisServerProcess) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Stops the server and removes its directory (unless `keepDirectory`).
    public func stop() async {
        await halt()
        if !options.keepDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Stops the server process but keeps its directory and port, so `launch()` brings the same server back.
    public func halt() async {
        let (process, writeFD) = lock.withLock { () -> (ChildProcess?, Int32) in
            defer { self.process = nil; self.guardWriteFD = -1 }
            return (self.process, self.guardWriteFD)
        }
        if writeFD >= 0 { close(writeFD) }  // EOF for the guard: it shuts redis down (SIGTERM, waits)
        guard let process else { return }
        if await !Self.waitForExit(process, attempts: 250) {
            // Redis did not stop in 5 s: kill it and its guard. Never block a thread waiting.
            if let pid = lock.withLock({ launchedRedisPID }) { kill(pid, SIGKILL) }
            process.signal(SIGKILL)
            _ = await Self.waitForExit(process, attempts: 250)
        }
    }

    /// Kills the server hard (SIGKILL to redis itself), as a crash would; the directory stays.
    public func crash() async {
        guard let process = lock.withLock({ self.process }), let pid = lock.withLock({ launchedRedisPID }) else { return }
        kill(pid, SIGKILL)
        _ = await Self.waitForExit(process, attempts: 250)
        await halt()
    }

    /// The redis-server's own pid (from its pid file), as opposed to its guard's.
    public var redisPID: Int32? {
        guard let text = try? String(contentsOfFile: directory + "/redis.pid", encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func waitForExit(_ process: ChildProcess, attempts: Int) async -> Bool {
        for _ in 0..<attempts where process.isRunning { try? await Task.sleep(nanoseconds: 20_000_000) }
        return !process.isRunning
    }

    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts (or restarts) the server and waits until it answers PING.
    public func launch() async throws {
        let executable = try Self.locate(options.executable)
        // A server still answering on our socket belongs to someone else (another relay on the same data
        // directory, or one left behind): starting a second one would take its socket and share its AOF.
        if let socket = options.unixSocket, FileManager.default.fileExists(atPath: socket), await Self.answers(url) {
            throw RedisError.unavailable(reason: "a redis-server is already serving \(socket) (pid file: \(redisPID.map(String.init) ?? "none")); "
                + "is another relay running with the same data directory?", retryInMilliseconds: 0)
        }
        var arguments = [
            "--dir", directory, "--bind", "127.0.0.1", "--port", String(port ?? 0),
            "--pidfile", directory + "/redis.pid", "--daemonize", "no", "--logfile", directory + "/redis.log",
            "--save", "", "--appendonly", options.appendOnly ? "yes" : "no",
        ]
        if let socket = options.unixSocket { arguments += ["--unixsocket", socket, "--unixsocketperm", "700"] }
        arguments += options.extraArguments
        let quoted = ([executable] + arguments).map(Self.shellQuote).joined(separator: " ")
        // The guard: start redis, then block reading our pipe; EOF (we stopped or died) → TERM redis and wait.
        // (Asynchronous lists get /dev/null as stdin, hence the explicit fd 3.)
        let script = "exec 3<&0; \(quoted) </dev/null 3<&- & pid=$!; trap 'kill -TERM $pid 2>/dev/null' TERM; "
            + "(cat <&3 >/dev/null; kill -TERM $pid 2>/dev/null) & exec 3<&-; wait $pid"
        // A raw pipe owned here (no Foundation Pipe: its FileHandles may close a descriptor number again after it
        // was reused by someone else's socket), close-on-exec from birth, so no child another thread spawns
        // meanwhile inherits our end and keeps the guard waiting after we are gone. The guard is spawned with a
        // clean signal mask (`ChildProcess`): under Foundation's `Process` it inherited a blocked SIGTERM.
        let pipe = try ChildProcess.makePipe()
        let fds = [pipe.read, pipe.write]
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn("/bin/sh", arguments: ["-c", script], standardInput: fds[0])
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[0])  // the guard has its copy as stdin
        lock.withLock { self.process = process; self.guardWriteFD = fds[1] }
        try await waitUntilReady(process)
        let pid = redisPID
        lock.withLock { launchedRedisPID = pid }
    }

    /// True when something answers PING at `url` right now.
    static func answers(_ url: String) async -> Bool {
        guard let configuration = try? RedisConfiguration(url: url),
              let connection = try? await RedisConnection.connect(to: configuration, on: MultiThreadedEventLoopGroup.singleton.next()) else { return false }
        let reply = try? await connection.send(RedisCommand("PING"))
        await connection.close()
        return reply != nil
    }

    private func waitUntilReady(_ process: ChildProcess) async throws {
        let configuration = try RedisConfiguration(url: url)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                let log = (try? String(contentsOfFile: directory + "/redis.log", encoding: .utf8)) ?? ""
                throw RedisError.unavailable(reason: "redis-server exited at start: \(log.suffix(400))", retryInMilliseconds: 0)
            }
            if let connection = try? await RedisConnection.connect(to: configuration, on: MultiThreadedEventLoopGroup.singleton.next()) {
                let reply = try? await connection.send(RedisCommand("PING"))
                await connection.close()
                // Any answer but LOADING (AOF replay) means the server is up; NOAUTH counts (requirepass).
                if reply == .status("PONG") { return }
                if case .error(let message)? = reply, !message.hasPrefix("LOADING") { return }
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw RedisError.unavailable(reason: "redis-server did not answer PING within 10 s", retryInMilliseconds: 0)
    }

    public static func locate(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin", "/usr/sbin"] {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw RedisError.invalidConfiguration("\(executable) not found on PATH (install Debian's redis-server package)")
    }

    /// A fresh `crs-redis-*` directory that names its owner (`owner.pid`); directories left by owners that were
    /// killed outright (their redis-server went down with them) are removed first.
    private static func makeTemporaryDirectory() throws -> String {
        removeAbandonedDirectories()
        let path = NSTemporaryDirectory() + "crs-redis-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try? String(getpid()).write(toFile: path + "/owner.pid", atomically: true, encoding: .utf8)
        return path
    }

    static func removeAbandonedDirectories() {
        let root = NSTemporaryDirectory()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names where name.hasPrefix("crs-redis-") {
            let path = root + name
            let owner = (try? String(contentsOfFile: path + "/owner.pid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            let abandoned: Bool
            if let owner {
                abandoned = kill(owner, 0) != 0 && errno == ESRCH
            } else {
                // Made before owners were recorded: abandoned once an hour old.
                let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
                abandoned = Date().timeIntervalSince(modified) > 3600
            }
            if abandoned { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    private static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A loopback TCP port nobody listens on right now, chosen below Linux's ephemeral range (32768+) so that the
/// kernel does not hand the same port to an outgoing connection before our server binds it.
public enum FreePort {
    public static func find() -> Int {
        for _ in 0..<200 {
            let candidate = Int.random(in: 15_000..<32_000)
            if isFree(candidate) { return candidate }
        }
        return bindAny()
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } } == 0
    }

    static func bindAny() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

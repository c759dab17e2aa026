#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A child process started with `posix_spawn` in a clean signal state.
///
/// Foundation's `Process` hands the child the spawning thread's signal mask. Swift concurrency and NIO threads
/// (libdispatch workers) block almost every signal, so a child started from async code ignores `SIGTERM` for
/// its whole life: it can only be killed, never asked to stop. Here the child starts with an empty mask,
/// default dispositions for the signals a server handles, and only the descriptors it is given (0, 1, 2).
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable` (an absolute path) with `arguments`; `standardInput` is dup'ed onto fd 0 (nil: /dev/null),
    /// stdout and stderr go to /dev/null. The environment is this process's.
    public static func spawn(_ executable: String, arguments: [String], standardInput: Int32? = nil) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else crosses over, whatever another thread opened without close-on-exec meanwhile.
        _ = GlibcExtensions.addCloseFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { arguments in
            posix_spawn(&pid, executable, &actions, &attributes, arguments.baseAddress!, environ)
        }
        guard result == 0 else {
            throw RedisError.unavailable(reason: "could not start \(executable): \(String(cString: strerror(result)))", retryInMilliseconds: 0)
        }
        return ChildProcess(pid: pid)
    }

    /// False once the child has exited (and been reaped here).
    public var isRunning: Bool { exitStatus == nil }

    /// The child's wait status once it exited; nil while it runs.
    public var exitStatus: Int32? {
        lock.withLock {
            if status != nil { return status }
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid { status = raw } else if reaped < 0, errno == ECHILD { status = -1 }
            return status
        }
    }

    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// A pipe whose two ends are close-on-exec from birth (`pipe2`), so no child that another thread spawns
    /// meanwhile inherits one. Falls back to `pipe` + `fcntl` where `pipe2` is missing.
    public static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = GlibcExtensions.pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw RedisError.unavailable(reason: "pipe2 failed: errno \(errno)", retryInMilliseconds: 0) }
        } else {
            guard pipe(&fds) == 0 else { throw RedisError.unavailable(reason: "pipe failed: errno \(errno)", retryInMilliseconds: 0) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }
}

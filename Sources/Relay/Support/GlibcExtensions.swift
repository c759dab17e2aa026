#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// glibc functions Swift's Glibc module does not export (declared under `_GNU_SOURCE`, or in `<malloc.h>`, which
/// the module leaves out), looked up once at run time; nil where the C library lacks them.
enum GlibcExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    typealias MallOpt = @convention(c) (Int32, Int32) -> Int32

    static let pipe2: Pipe2? = symbol("pipe2")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let mallopt: MallOpt? = symbol("mallopt")

    /// `M_MMAP_THRESHOLD` from glibc's `<malloc.h>`.
    static let mmapThresholdOption: Int32 = -3

    private static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}

import Foundation

/// glibc's allocator raises its mmap threshold to the size of the largest block freed (up to 32 MB); after that,
/// large transient blocks — the 16 MB scrypt works in for every admin login — come from the per-thread arenas and
/// stay resident. Three logins left the relay 33 MB larger for good (42 → 75 MB). A fixed threshold keeps blocks
/// of 4 MB and more in their own mappings, returned to the system when freed (setting it also turns the dynamic
/// adjustment off). `MALLOC_MMAP_THRESHOLD_` in the environment still wins. Called once by `crs serve`.
public enum MemoryTuning {
    public static let mmapThreshold: Int32 = 4 << 20

    public static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["MALLOC_MMAP_THRESHOLD_"] == nil, let mallopt = GlibcExtensions.mallopt else { return }
        _ = mallopt(GlibcExtensions.mmapThresholdOption, mmapThreshold)
    }
}

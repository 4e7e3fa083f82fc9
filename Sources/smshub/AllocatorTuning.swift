import CMalloc

/// glibc's allocator, set for a long-running server with many threads (docs/performance.md, memory).
/// By default every thread that allocates may get an arena of its own (up to eight per core), and
/// freed memory inside each arena stays resident; and the threshold above which a block is mapped on
/// its own (and unmapped when freed) rises to 32 MiB after the first large free, so the big buffers of
/// a burst (a 1000-recipient send, an ingest batch) stay in the heap afterwards. Two arenas and a
/// fixed 128 KiB threshold keep that memory returned. Runs first thing, before the service starts threads.
func tuneAllocator() {
    _ = mallopt(M_ARENA_MAX, 2)
    _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    _ = mallopt(M_TRIM_THRESHOLD, 1024 * 1024)
}

import Foundation

/// Bytes appended into memory of their own, which `Data` then takes over without a copy.
/// A snapshot at a million entries is 400 MB: an array copied into `Data` held it twice,
/// and an array's doubling held its old and new storage at once, where `realloc` of a
/// large block moves pages rather than bytes.
struct GrowingBytes: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 4_096)
        guard let start = malloc(self.capacity) else { fatalError("out of memory for \(self.capacity) bytes") }
        self.start = start.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(start) }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        start[count] = byte
        count += 1
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        (start + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    mutating func append(contentsOf text: String.UTF8View) {
        if text.withContiguousStorageIfAvailable({ append(contentsOf: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in text { append(byte) }  // a bridged string, which is not stored as UTF-8
        }
    }

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// The bytes as `Data`, which frees them when it is done.
    consuming func data() -> Data {
        let data = Data(bytesNoCopy: start, count: count, deallocator: .free)
        discard self
        return data
    }

    private mutating func grow(toHold needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        guard let moved = realloc(start, newCapacity) else { fatalError("out of memory for \(newCapacity) bytes") }
        start = moved.assumingMemoryBound(to: UInt8.self)
        capacity = newCapacity
    }
}

using ILGPU;
using ILGPU.Runtime;

namespace NativeCam.Tensors;

/// <summary>
/// Caching allocator for device memory. Freed buffers go to a free list keyed by their (rounded)
/// size and are handed out again for the next request of that size (a large request may take a somewhat larger
/// one), so a steady-state forward and backward never calls the driver's allocator. Live and peak byte counters are exact and cheap to read.
/// </summary>
public sealed class BufferPool : IDisposable
{
    readonly Accelerator _accelerator;
    readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = new();
    readonly object _lock = new();

    public BufferPool(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>Bytes held by live tensors right now.</summary>
    public long LiveBytes { get; private set; }
    /// <summary>Largest <see cref="LiveBytes"/> seen since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakBytes { get; private set; }
    /// <summary>Bytes kept in free lists for reuse.</summary>
    public long CachedBytes { get; private set; }
    /// <summary>Fill every rented buffer with NaN (tests turn this on so an unwritten output element shows).</summary>
    public bool PoisonOnRent { get; set; }

    public void ResetPeak() { lock (_lock) PeakBytes = LiveBytes; }

    /// <summary>Rounds an element count up to its size class: 256-float steps below 64K floats, else at most 1/16 waste.</summary>
    public static long SizeClass(long elements)
    {
        if (elements <= 0) return 256;
        if (elements <= 65536) return (elements + 255) / 256 * 256;
        long step = 1L << (int)(63 - long.LeadingZeroCount(elements) - 4);
        return (elements + step - 1) / step * step;
    }

    /// <summary>From this many floats (1 MiB) up, a request with no free buffer of its own size class takes the
    /// smallest free one up to <see cref="LargeReuseFactor"/> times larger before allocating.</summary>
    public const long LargeReuseMin = 1 << 18;

    /// <summary>How much larger a reused free buffer may be than a large request (its size class).</summary>
    public const double LargeReuseFactor = 1.5;

    internal MemoryBuffer1D<float, Stride1D.Dense> Rent(long elements)
    {
        long size = SizeClass(elements);
        MemoryBuffer1D<float, Stride1D.Dense>? buffer = null;
        lock (_lock)
        {
            // Exact class first. A large request may also take a somewhat larger free buffer: a K-target backward
            // frees and asks for big gradients of many nearby sizes ([K, C, H, W] for every C of a network), and
            // exact classes alone left most of them cached, unused, beside fresh allocations (yolov8n detect-cam,
            // 17 targets: the pool held 350 MiB for a live peak of 221).
            var stack = _free.GetValueOrDefault(size);
            if ((stack is null || stack.Count == 0) && size >= LargeReuseMin) stack = SmallestLarger(size);
            if (stack is { Count: > 0 })
            {
                buffer = stack.Pop();
                CachedBytes -= buffer.Length * sizeof(float);
            }
            LiveBytes += (buffer?.Length ?? size) * sizeof(float);
            PeakBytes = Math.Max(PeakBytes, LiveBytes);
        }
        buffer ??= _accelerator.Allocate1D<float>(size);
        return buffer;
    }

    // The non-empty free list of the smallest class in (size, LargeReuseFactor·size], or null. Called under the lock.
    Stack<MemoryBuffer1D<float, Stride1D.Dense>>? SmallestLarger(long size)
    {
        Stack<MemoryBuffer1D<float, Stride1D.Dense>>? best = null;
        long bestSize = long.MaxValue, limit = (long)(size * LargeReuseFactor);
        foreach (var (s, stack) in _free)
            if (s > size && s <= limit && s < bestSize && stack.Count > 0) (best, bestSize) = (stack, s);
        return best;
    }

    internal void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        long size = buffer.Length;
        lock (_lock)
        {
            LiveBytes -= size * sizeof(float);
            CachedBytes += size * sizeof(float);
            if (!_free.TryGetValue(size, out var stack)) _free[size] = stack = new();
            stack.Push(buffer);
        }
    }

    /// <summary>Gives all cached (free) buffers back to the driver.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
                while (stack.Count > 0) stack.Pop().Dispose();
            _free.Clear();
            CachedBytes = 0;
        }
    }

    public void Dispose() => Trim();
}
